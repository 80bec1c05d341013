/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RUN: a container over the step's overlay, created with the runtime
 * library in this process as the engine's monitor does, with its
 * output relayed to the build output and its exit status returned.
 */
#include "build/build-run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/bundle.h"
#include "engine/container-config.h"
#include "engine/env.h"
#include "engine/overlay.h"
#include "engine/user.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define DEFAULT_PATH \
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/*
 * Mount points the runtime creates when the image lacks them. The
 * container's mounts hide what they hold, so an empty one that the
 * step did not have before is no change of the step's and is removed
 * from the layer. Children come before their parents.
 */
static const char *const runtime_mount_points[] = {
	"etc/hosts", "etc/hostname", "etc/resolv.conf", "etc", "proc",
	"sys",	     "dev",
};

static volatile sig_atomic_t interrupted;

static void on_signal(int signal)
{
	interrupted = signal;
}

void build_catch_signals(void)
{
	static const int signals[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa = {.sa_handler = on_signal};

	/* No SA_RESTART: poll() returns EINTR and sees the flag. */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
		(void)sigaction(signals[i], &sa, NULL);
}

bool build_interrupted(void)
{
	return interrupted != 0;
}

int build_enter_mount_namespace(struct berth_error **err)
{
	if (unshare(CLONE_NEWNS) < 0)
		return berth_error_set(
			err, errno, "create a mount namespace for the build");

	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return berth_error_set(err, errno,
				       "make the build's mounts private");
	return 0;
}

static char *random_name(const char *prefix)
{
	unsigned char bytes[8];
	char *s;

	if (getrandom(bytes, sizeof(bytes), 0) != sizeof(bytes))
		memset(bytes, 0, sizeof(bytes));
	xasprintf(&s, "%s%02x%02x%02x%02x%02x%02x%02x%02x", prefix, bytes[0],
		  bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6],
		  bytes[7]);
	return s;
}

static int make_step_dirs(const char *work_dir, struct build_step_root *r,
			  struct berth_error **err)
{
	static const char *const subdirs[] = {"rootfs", "upper", "work",
					      "empty"};
	_cleanup_free_ char *tmpl = fs_path_join(work_dir, "step-XXXXXX");

	if (fs_mkdir_p(work_dir, 0700, err) < 0)
		return -1;
	if (mkdtemp(tmpl) == NULL)
		return berth_error_set(err, errno, "create '%s'", tmpl);
	r->dir = TAKE_PTR(tmpl);

	for (size_t i = 0; i < ARRAY_SIZE(subdirs); i++) {
		_cleanup_free_ char *path = fs_path_join(r->dir, subdirs[i]);

		if (mkdir(path, 0755) < 0)
			return berth_error_set(err, errno, "create '%s'", path);
	}

	r->rootfs = fs_path_join(r->dir, "rootfs");
	r->upper = fs_path_join(r->dir, "upper");
	return 0;
}

int build_step_root_mount(const char *work_dir, char **lowerdirs,
			  struct build_step_root *ret, struct berth_error **err)
{
	_cleanup_free_ char *lowerdir = NULL;
	_cleanup_strv_ char **empty = NULL;

	*ret = (struct build_step_root){.root_fd = -1};
	if (make_step_dirs(work_dir, ret, err) < 0)
		return -1;

	/* overlayfs needs a lower directory even for a stage from scratch. */
	if (lowerdirs == NULL || lowerdirs[0] == NULL) {
		strv_push_take(&empty, fs_path_join(ret->dir, "empty"));
		lowerdirs = empty;
	}

	if (overlay_lowerdir(lowerdirs, &lowerdir, err) < 0 ||
	    overlay_mount(ret->dir, lowerdir, err) < 0)
		return -1;
	ret->mounted = true;

	ret->root_fd = open(ret->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ret->root_fd < 0)
		return berth_error_set(err, errno, "open '%s'", ret->rootfs);
	return 0;
}

int build_step_root_unmount(struct build_step_root *root,
			    struct berth_error **err)
{
	if (root->root_fd >= 0)
		close(root->root_fd);
	root->root_fd = -1;

	if (!root->mounted)
		return 0;
	if (overlay_unmount(root->dir, err) < 0)
		return -1;
	root->mounted = false;
	return 0;
}

void build_step_root_clear(struct build_step_root *root)
{
	if (root->dir == NULL)
		return;

	(void)build_step_root_unmount(root, NULL);
	if (!root->mounted)
		(void)fs_rm_rf(root->dir, NULL);
	free(root->dir);
	free(root->rootfs);
	free(root->upper);
	*root = (struct build_step_root){.root_fd = -1};
}

/* Record which runtime mount points the root lacks before the run. */
static void find_missing_mount_points(int root_fd, bool *missing)
{
	struct stat st;

	for (size_t i = 0; i < ARRAY_SIZE(runtime_mount_points); i++)
		missing[i] = fstatat(root_fd, runtime_mount_points[i], &st,
				     AT_SYMLINK_NOFOLLOW) < 0;
}

/* Remove what the runtime created in the upper directory, if empty. */
static void remove_mount_points(const char *upper, const bool *missing)
{
	_cleanup_close_ int fd =
		open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return;

	for (size_t i = 0; i < ARRAY_SIZE(runtime_mount_points); i++) {
		const char *path = runtime_mount_points[i];

		if (!missing[i] ||
		    fstatat(fd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			(void)unlinkat(fd, path, AT_REMOVEDIR);
		else if (S_ISREG(st.st_mode) && st.st_size == 0)
			(void)unlinkat(fd, path, 0);
	}
}

static void fill_container_config(struct container_config *c,
				  const struct build_process *p, const char *id)
{
	*c = (struct container_config){
		.id = xstrdup(id),
		.name = xstrdup(id),
		.image = xstrdup("berth-build"),
		.entrypoint = xzalloc(sizeof(char *)),
		.cmd = strv_copy(p->args),
		.env = strv_copy(p->env),
		.workdir = xstrdup(p->workdir[0] != '\0' ? p->workdir : "/"),
		.user = xstrdup(p->user),
		.hostname = xstrndup(id + strlen("berth-build-"), 12),
		.network = xstrdup(p->network),
		.cgroup_parent = p->cgroup_parent != NULL ?
					 xstrdup(p->cgroup_parent) :
					 NULL,
		.memory = -1,
		.cpu_quota = -1,
		.pids_limit = -1,
	};

	if (c->env == NULL)
		c->env = xzalloc(sizeof(char *));
	if (env_get(c->env, "PATH") == NULL)
		strv_push(&c->env, DEFAULT_PATH);
}

/* As in a container, HOME comes from the user's passwd entry, else "/". */
static void set_home(struct container_config *c, const struct user_ids *ids)
{
	_cleanup_free_ char *home = NULL;

	if (env_get(c->env, "HOME") != NULL)
		return;

	xasprintf(&home, "HOME=%s",
		  ids->home != NULL && ids->home[0] != '\0' ? ids->home : "/");
	(void)env_set(&c->env, home, NULL);
}

static int write_bundle(const struct build_step_root *root,
			struct container_config *c, struct berth_error **err)
{
	_cleanup_json_ json_t *spec = NULL;
	struct user_ids ids = {0};
	int r;
	const char *user = c->user[0] != '\0' ? c->user : "0";

	if (user_resolve(root->root_fd, user, &ids, err) < 0)
		return berth_error_wrap(err, "USER '%s'", c->user);

	set_home(c, &ids);
	spec = bundle_spec_json(c, &ids, root->dir);
	user_ids_clear(&ids);

	/* The runtime resolves "rootfs" against the bundle directory. */
	r = bundle_write_etc_files(c, root->dir, err);
	if (r == 0)
		r = bundle_write_spec(root->dir, spec, err);
	return r;
}

/* Copy both pipes to out until they end, then reap the container. */
static int relay_output(pid_t pid, int out_r, int err_r, int out,
			int *ret_status, struct berth_error **err)
{
	struct pollfd fds[2] = {{.fd = out_r, .events = POLLIN},
				{.fd = err_r, .events = POLLIN}};
	char buf[16384];
	int open_fds = 2, status;
	bool killed = false;

	while (open_fds > 0) {
		if (interrupted && !killed) {
			(void)kill(pid, SIGKILL);
			killed = true;
		}
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return berth_error_set(err, errno,
					       "wait for RUN output");
		}

		for (size_t i = 0; i < 2; i++) {
			ssize_t n;

			if (fds[i].fd < 0 || fds[i].revents == 0)
				continue;
			n = read(fds[i].fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				fds[i].fd = -1;
				open_fds--;
				continue;
			}
			/* A closed build output must not stop the step. */
			(void)fs_write_all(out, buf, (size_t)n, NULL);
		}
	}

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return berth_error_set(err, errno,
					       "wait for the RUN process");
	}

	if (interrupted)
		return berth_error_set(err, 0, "build interrupted by signal %d",
				       (int)interrupted);
	if (WIFSIGNALED(status))
		*ret_status = 128 + WTERMSIG(status);
	else
		*ret_status = WEXITSTATUS(status);
	return 0;
}

struct run_pipes {
	int out[2];
	int err[2];
	int null_fd;
};

static void close_pipes(struct run_pipes *p)
{
	int *fds[] = {&p->out[0], &p->out[1], &p->err[0], &p->err[1],
		      &p->null_fd};

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/*
 * Put data in an executable memory file: a RUN heredoc script that the
 * kernel starts through /proc/self/fd/0 with the interpreter of its "#!"
 * line.
 */
static int open_memory_file(const char *data, struct berth_error **err)
{
	int fd = memfd_create("berth-run-script", MFD_CLOEXEC);

	if (fd < 0)
		return berth_error_set(err, errno,
				       "create a memory file for the RUN "
				       "script");
	if (fs_write_all(fd, data, strlen(data), err) < 0) {
		close(fd);
		return -1;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		berth_error_set(err, errno, "rewind the RUN script");
		close(fd);
		return -1;
	}
	return fd;
}

static int open_pipes(struct run_pipes *p, const char *stdin_data,
		      struct berth_error **err)
{
	*p = (struct run_pipes){{-1, -1}, {-1, -1}, -1};

	if (pipe2(p->out, O_CLOEXEC) < 0 || pipe2(p->err, O_CLOEXEC) < 0)
		return berth_error_set(err, errno, "create pipe");
	if (stdin_data != NULL) {
		p->null_fd = open_memory_file(stdin_data, err);
		return p->null_fd < 0 ? -1 : 0;
	}
	p->null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (p->null_fd < 0)
		return berth_error_set(err, errno, "open '/dev/null'");
	return 0;
}

static int create_and_wait(const struct build_step_root *root,
			   const struct build_process *p, const char *id,
			   int *ret_status, struct berth_error **err)
{
	struct run_pipes pipes;
	struct runtime_create_options opts = {.bundle = root->dir};
	pid_t pid = -1;
	int r;

	if (open_pipes(&pipes, p->stdin_data, err) < 0) {
		close_pipes(&pipes);
		return -1;
	}
	opts.stdio[0] = pipes.null_fd;
	opts.stdio[1] = pipes.out[1];
	opts.stdio[2] = pipes.err[1];

	r = runtime_create(p->state_root, id, &opts, &pid, err);
	if (r == 0) {
		close(pipes.out[1]);
		close(pipes.err[1]);
		pipes.out[1] = pipes.err[1] = -1;
		r = runtime_start(p->state_root, id, err);
		if (r < 0)
			(void)kill(pid, SIGKILL);
		if (relay_output(pid, pipes.out[0], pipes.err[0], p->output_fd,
				 ret_status, r < 0 ? NULL : err) < 0 &&
		    r == 0)
			r = -1;
	}

	close_pipes(&pipes);
	(void)runtime_delete(p->state_root, id, true, NULL);
	return r;
}

int build_run_process(struct build_step_root *root,
		      const struct build_process *p, int *ret_status,
		      struct berth_error **err)
{
	_cleanup_free_ char *id = random_name("berth-build-");
	bool missing[ARRAY_SIZE(runtime_mount_points)];
	struct container_config c;
	int r;

	find_missing_mount_points(root->root_fd, missing);
	fill_container_config(&c, p, id);

	r = write_bundle(root, &c, err);
	if (r == 0)
		r = create_and_wait(root, p, id, ret_status, err);

	free(c.id);
	free(c.name);
	free(c.image);
	strv_free(c.entrypoint);
	strv_free(c.cmd);
	strv_free(c.env);
	free(c.workdir);
	free(c.user);
	free(c.hostname);
	free(c.network);
	free(c.cgroup_parent);
	if (r < 0)
		return -1;

	/* The mount points are visible in the upper directory only now. */
	if (build_step_root_unmount(root, err) < 0)
		return -1;
	remove_mount_points(root->upper, missing);
	return 0;
}

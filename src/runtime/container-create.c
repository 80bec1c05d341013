/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runtime_create(), the parent side. It validates the config, records
 * the container as "creating" and clones the init. Then it puts the init
 * in its cgroup and writes its id maps. Once the init's root is set up,
 * it runs the prestart and createRuntime hooks. When the init is ready,
 * it records the container as "created". Any failure kills and reaps
 * the init and removes the cgroup and the state directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/cgroup.h"
#include "runtime/runtime-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/xalloc.h"

struct create_ctx {
	const char *state_root;
	const char *id;
	const struct runtime_create_options *opts;
	const struct spec *spec;
	char *dir;
	char *fifo_path;
	int fifo_fd;
	char *rootfs;
	char *bundle;
	int console_master;
	char *console_path;
	pid_t pid;
	unsigned long long start_time;
	char *cgroup_path;
	struct runtime_record record;
	/* shallow copies of the spec and its process, with granted caps */
	struct spec granted_spec;
	struct spec_process granted_process;
};

static int resolve_paths(struct create_ctx *c, struct berth_error **err)
{
	const char *bundle = c->opts->bundle != NULL ? c->opts->bundle : ".";
	_cleanup_free_ char *root = NULL;
	struct stat st;

	c->bundle = realpath(bundle, NULL);
	if (c->bundle == NULL)
		return berth_error_set(err, errno, "bundle '%s'", bundle);

	if (c->spec->root_path == NULL || c->spec->root_path[0] == '\0')
		return berth_error_set(err, EINVAL,
				       "root.path is missing in config.json");

	root = c->spec->root_path[0] == '/' ?
		       xstrdup(c->spec->root_path) :
		       fs_path_join(c->bundle, c->spec->root_path);
	c->rootfs = realpath(root, NULL);
	if (c->rootfs == NULL || stat(c->rootfs, &st) < 0)
		return berth_error_set(err, errno,
				       "root.path '%s' is not usable, create "
				       "the root directory first",
				       root);

	if (!S_ISDIR(st.st_mode))
		return berth_error_set(err, ENOTDIR,
				       "root.path '%s' is not a directory",
				       root);
	return 0;
}

static int check_spec(struct create_ctx *c, struct berth_error **err)
{
	if (c->spec->process == NULL)
		return berth_error_set(err, EINVAL,
				       "config.json has no 'process'");

	/*
	 * The root file system is built with mounts and pivot_root, which
	 * must never happen in the caller's own mount namespace.
	 */
	if (spec_find_namespace(c->spec, CLONE_NEWNS) == NULL)
		return berth_error_set(err, EINVAL,
				       "linux.namespaces has no mount "
				       "namespace, add {\"type\": \"mount\"}");

	if (c->spec->process->terminal && c->opts->console_socket == NULL)
		return berth_error_set(err, EINVAL,
				       "--console-socket is required when "
				       "process.terminal is true");

	if (!c->spec->process->terminal && c->opts->console_socket != NULL)
		return berth_error_set(err, EINVAL,
				       "--console-socket is given but "
				       "process.terminal is false");
	return 0;
}

static char *owner_name(void)
{
	struct passwd *pw = getpwuid(geteuid());

	return xstrdup(pw != NULL ? pw->pw_name : "");
}

/* Make the state directory; its existence is the id's reservation. */
static int make_state_dir(struct create_ctx *c, struct berth_error **err)
{
	if (fs_mkdir_p(c->state_root, 0711, err) < 0)
		return berth_error_wrap(err, "create state root");

	c->dir = runtime_container_dir(c->state_root, c->id);
	if (mkdir(c->dir, 0711) < 0) {
		int e = errno;

		free(c->dir);
		c->dir = NULL;
		if (e == EEXIST)
			return berth_error_set(err, EEXIST,
					       "container '%s' already exists",
					       c->id);
		return berth_error_set(err, e, "create '%s'", c->state_root);
	}

	c->record.creating = true;
	c->record.state.id = xstrdup(c->id);
	c->record.state.bundle = xstrdup(c->bundle);
	c->record.state.rootfs = xstrdup(c->rootfs);
	c->record.state.created = runtime_now_rfc3339();
	c->record.state.owner = owner_name();
	if (c->spec->annotations != NULL)
		c->record.state.annotations = json_incref(c->spec->annotations);
	if (runtime_record_write(c->state_root, &c->record, err) < 0)
		return -1;

	c->fifo_path = fs_path_join(c->dir, RUNTIME_EXEC_FIFO);
	if (mkfifo(c->fifo_path, 0622) < 0)
		return berth_error_set(err, errno, "create '%s'", c->fifo_path);

	/* The umask must not keep a container root mapped elsewhere out. */
	if (chmod(c->fifo_path, 0622) < 0)
		return berth_error_set(err, errno, "chmod '%s'", c->fifo_path);

	/*
	 * The init inherits this descriptor, so it needs no access to the
	 * state directory's path, which a container root mapped to another
	 * host uid may lack.
	 */
	c->fifo_fd = open(c->fifo_path, O_PATH | O_CLOEXEC);
	if (c->fifo_fd < 0)
		return berth_error_set(err, errno, "open '%s'", c->fifo_path);
	return 0;
}

static void fill_init_args(const struct create_ctx *c, int sync_fd,
			   struct init_args *a)
{
	int flags = namespaces_clone_flags(c->spec);

	*a = (struct init_args){
		.id = c->id,
		.bundle = c->bundle,
		.spec = c->spec,
		.opts = c->opts,
		.rootfs = c->rootfs,
		.fifo_fd = c->fifo_fd,
		.console_path = c->console_path,
		.sync_fd = sync_fd,
		.new_userns = (flags & CLONE_NEWUSER) != 0,
		.new_cgroupns = (flags & CLONE_NEWCGROUP) != 0,
	};
}

/*
 * clone(2) the init with its new namespaces, like fork: the child runs
 * on a copy of this stack. A pid namespace given by path is entered for
 * children only, around the clone.
 */
static int clone_init(struct create_ctx *c, struct berth_error **err)
{
	const struct spec_namespace *pidns =
		spec_find_namespace(c->spec, CLONE_NEWPID);
	int flags = namespaces_clone_flags(c->spec) & ~CLONE_NEWCGROUP;
	_cleanup_close_ int saved_pidns = -1;
	_cleanup_close_ int parent_fd = -1, child_fd = -1;
	int pair[2], clone_errno;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
		return berth_error_set(err, errno, "create sync socket");
	parent_fd = pair[0];
	child_fd = pair[1];

	if (pidns != NULL && pidns->path != NULL && pidns->path[0] != '\0' &&
	    namespaces_enter_pid(pidns->path, &saved_pidns, err) < 0)
		return -1;

	pid = (pid_t)syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL,
			     NULL, NULL, NULL);
	if (pid == 0) {
		struct init_args a;

		close(parent_fd);
		fill_init_args(c, child_fd, &a);
		container_init(&a);
	}

	clone_errno = errno;

	/*
	 * From here on, undo_create() kills and reaps the child. It waits
	 * for SYNC_GO, so it is surely alive to read its start time.
	 */
	if (pid > 0) {
		c->pid = pid;
		c->start_time = runtime_pid_start_time(pid);
	}

	if (saved_pidns >= 0 && namespaces_restore_pid(saved_pidns, err) < 0)
		return -1;

	if (pid < 0)
		return berth_error_set(err, clone_errno,
				       "clone the container init");
	return TAKE_FD(parent_fd);
}

/* The prestart and createRuntime hooks run while the init waits. */
static int run_runtime_hooks(const struct create_ctx *c,
			     struct berth_error **err)
{
	const struct spec_hooks *h = &c->spec->hooks;
	struct runtime_state s = c->record.state;
	_cleanup_json_ json_t *state = NULL;

	s.status = RUNTIME_STATUS_CREATED;
	s.pid = c->pid;
	state = runtime_state_to_json(&s);
	if (hooks_run(&h->prestart, "prestart", state, err) < 0 ||
	    hooks_run(&h->create_runtime, "createRuntime", state, err) < 0)
		return -1;
	return 0;
}

/*
 * The init closes its end of the sync socket only by exiting, so after
 * end of file it can be reaped at once to report how it ended.
 */
static int init_died(struct create_ctx *c, struct berth_error **err)
{
	int status;

	if (runtime_reap_child(c->pid, RUNTIME_KILL_WAIT_MS, &status) < 0)
		return -1;

	c->pid = 0;
	berth_error_free(err);
	if (WIFSIGNALED(status))
		return berth_error_set(err, 0,
				       "the container init was killed by "
				       "signal %d during setup",
				       WTERMSIG(status));
	return berth_error_set(err, 0,
			       "the container init exited with status %d "
			       "during setup",
			       WEXITSTATUS(status));
}

static int wait_ready(struct create_ctx *c, int sync_fd,
		      struct berth_error **err)
{
	for (;;) {
		struct sync_msg msg;

		if (sync_recv(sync_fd, &msg, err) < 0) {
			if ((*err)->errnum == EPIPE)
				init_died(c, err);
			return -1;
		}

		switch (msg.type) {
		case SYNC_READY:
			return 0;
		case SYNC_ERROR:
			return berth_error_set_status(
				err, msg.status, msg.errnum, "%s", msg.msg);
		case SYNC_HOOKS:
			if (run_runtime_hooks(c, err) < 0)
				return -1;
			if (sync_send(sync_fd, SYNC_HOOKS_DONE, 0, NULL) < 0)
				return berth_error_set(err, errno,
						       "resume the container "
						       "init");
			break;
		default:
			return berth_error_set(err, EPROTO,
					       "unexpected message %d from the "
					       "container init",
					       msg.type);
		}
	}
}

/*
 * The devices every container gets, as runc allows them: mknod of any
 * device, /dev/null, zero, full, random, urandom, tty, console, ptmx and
 * the pseudo-terminal slaves.
 */
static const struct spec_device_rule default_device_rules[] = {
	{true, 'c', -1, -1, "m"},    {true, 'b', -1, -1, "m"},
	{true, 'c', 1, 3, "rwm"},    {true, 'c', 1, 5, "rwm"},
	{true, 'c', 1, 7, "rwm"},    {true, 'c', 1, 8, "rwm"},
	{true, 'c', 1, 9, "rwm"},    {true, 'c', 5, 0, "rwm"},
	{true, 'c', 5, 1, "rwm"},    {true, 'c', 5, 2, "rwm"},
	{true, 'c', 136, -1, "rwm"},
};

/*
 * Create the cgroup with linux.resources. When the config has device
 * rules (usually "deny all" first), the default devices and the ones
 * of linux.devices are allowed after them, or the container could not
 * even open /dev/null.
 */
static int create_cgroup(struct create_ctx *c, struct berth_error **err)
{
	const struct spec_linux *l = &c->spec->linux;
	struct spec_resources r;
	struct spec_device_rule *rules;
	size_t n = 0, max;
	int ret;

	if (!l->has_resources || l->resources.n_devices == 0)
		return cgroup_create(l->cgroups_path, c->id,
				     l->has_resources ? &l->resources : NULL,
				     c->pid, &c->cgroup_path, err);

	max = l->resources.n_devices + ARRAY_SIZE(default_device_rules) +
	      l->n_devices;
	rules = xcalloc(max, sizeof(*rules));
	for (size_t i = 0; i < l->resources.n_devices; i++)
		rules[n++] = l->resources.devices[i];
	for (size_t i = 0; i < ARRAY_SIZE(default_device_rules); i++)
		rules[n++] = default_device_rules[i];
	for (size_t i = 0; i < l->n_devices; i++) {
		const struct spec_device *d = &l->devices[i];

		if (d->type != 'c' && d->type != 'b' && d->type != 'u')
			continue;
		rules[n++] = (struct spec_device_rule){
			true, d->type == 'b' ? 'b' : 'c', d->major, d->minor,
			(char *)"rwm"};
	}

	r = l->resources;
	r.devices = rules;
	r.n_devices = n;
	ret = cgroup_create(l->cgroups_path, c->id, &r, c->pid, &c->cgroup_path,
			    err);
	free(rules);
	return ret;
}

static int start_init(struct create_ctx *c, struct berth_error **err)
{
	_cleanup_close_ int sync_fd = clone_init(c, err);

	if (sync_fd < 0)
		return -1;

	if (create_cgroup(c, err) < 0)
		return -1;

	if ((namespaces_clone_flags(c->spec) & CLONE_NEWUSER) &&
	    namespaces_write_id_maps(c->pid, c->spec, err) < 0)
		return -1;

	if (sync_send(sync_fd, SYNC_GO, c->pid, NULL) < 0)
		return berth_error_set(err, errno, "signal the container init");

	if (wait_ready(c, sync_fd, err) < 0)
		return -1;

	if (c->console_master >= 0) {
		_cleanup_close_ int sock =
			terminal_connect(c->opts->console_socket, err);

		if (sock < 0 ||
		    terminal_send_master(sock, c->console_master, err) < 0)
			return -1;
	}
	return 0;
}

static int finish_create(struct create_ctx *c, struct berth_error **err)
{
	struct runtime_record *r = &c->record;
	const struct spec_hooks *h = &c->spec->hooks;

	r->creating = false;
	r->state.pid = c->pid;
	r->state.start_time = c->start_time;
	r->state.cgroup_path = c->cgroup_path ? xstrdup(c->cgroup_path) : NULL;
	r->hooks = json_object();
	json_object_set_new(r->hooks, "poststart",
			    hooks_list_to_json(&h->poststart));
	json_object_set_new(r->hooks, "poststop",
			    hooks_list_to_json(&h->poststop));
	if (runtime_record_write(c->state_root, r, err) < 0)
		return -1;

	if (c->opts->pid_file != NULL &&
	    runtime_write_pid_file(c->opts->pid_file, c->pid, err) < 0)
		return -1;
	return 0;
}

static void undo_create(struct create_ctx *c)
{
	if (c->pid > 0)
		runtime_kill_child(c->pid);

	if (c->cgroup_path != NULL)
		(void)cgroup_destroy(c->cgroup_path, NULL);

	if (c->opts->pid_file != NULL && c->pid > 0)
		(void)unlink(c->opts->pid_file);

	if (c->dir != NULL)
		(void)fs_rm_rf(c->dir, NULL);
}

static void clear_ctx(struct create_ctx *c)
{
	if (c->console_master >= 0)
		close(c->console_master);
	free(c->dir);
	free(c->fifo_path);
	if (c->fifo_fd >= 0)
		close(c->fifo_fd);
	free(c->rootfs);
	free(c->bundle);
	free(c->console_path);
	free(c->cgroup_path);
	runtime_record_clear(&c->record);
}

/* Point c->spec at a copy whose process asks only for grantable caps. */
static void drop_unbounded_capabilities(struct create_ctx *c)
{
	if (!c->spec->process->has_capabilities)
		return;

	c->granted_spec = *c->spec;
	c->granted_process = *c->spec->process;
	runtime_drop_unbounded_capabilities(&c->granted_process.capabilities);
	c->granted_spec.process = &c->granted_process;
	c->spec = &c->granted_spec;
}

static int create_steps(struct create_ctx *c, struct berth_error **err)
{
	if (check_spec(c, err) < 0 || resolve_paths(c, err) < 0)
		return -1;

	drop_unbounded_capabilities(c);

	if (make_state_dir(c, err) < 0)
		return -1;

	if (c->spec->process->terminal &&
	    terminal_create(&c->console_master, &c->console_path, err) < 0)
		return -1;

	if (start_init(c, err) < 0)
		return -1;

	return finish_create(c, err);
}

int runtime_create(const char *state_root, const char *id,
		   const struct runtime_create_options *opts, pid_t *ret_pid,
		   struct berth_error **err)
{
	_cleanup_spec_ struct spec *loaded = NULL;
	struct create_ctx c = {
		.state_root = state_root,
		.id = id,
		.opts = opts,
		.spec = opts->spec,
		.console_master = -1,
		.fifo_fd = -1,
	};
	int r;

	if (runtime_validate_id(id, err) < 0)
		return -1;

	if (c.spec == NULL) {
		_cleanup_free_ char *path =
			fs_path_join(opts->bundle != NULL ? opts->bundle : ".",
				     "config.json");

		if (spec_load(path, &loaded, err) < 0)
			return -1;
		c.spec = loaded;
	}

	r = create_steps(&c, err);
	if (r < 0)
		undo_create(&c);
	else if (ret_pid != NULL)
		*ret_pid = c.pid;

	clear_ctx(&c);
	return r;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/capability.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/process.h"
#include "runtime/seccomp.h"
#include "runtime/spec-internal.h"
#include "runtime/spec.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

static void cleanup_seccompp(struct spec_seccomp **s)
{
	spec_seccomp_free(*s);
}

#define _cleanup_seccomp_ __attribute__((cleanup(cleanup_seccompp)))

/* The user the identity tests switch to; any unused id works. */
#define TEST_UID 4242
#define TEST_GID 4343

struct fixture {
	char dir[32];
	struct spec_process process;
};

static int setup(void **state)
{
	struct fixture *f = xzalloc(sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/berth-test-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;

	f->process.cwd = xstrdup(f->dir);
	strv_push(&f->process.args, "prog");
	f->process.env = xcalloc(1, sizeof(char *));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	struct berth_error *err = NULL;
	int r = fs_rm_rf(f->dir, &err);

	berth_error_free(&err);
	free(f->process.cwd);
	strv_free(f->process.args);
	strv_free(f->process.env);
	free(f);
	return r;
}

static void make_file(const struct fixture *f, const char *name, mode_t mode)
{
	_cleanup_free_ char *path = fs_path_join(f->dir, name);
	_cleanup_free_ char *parent = xstrdup(path);
	struct berth_error *err = NULL;
	int fd;

	*strrchr(parent, '/') = '\0';
	assert_int_equal(fs_mkdir_p(parent, 0755, &err), 0);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void set_path(struct fixture *f, const char *value)
{
	_cleanup_free_ char *entry = NULL;

	xasprintf(&entry, "PATH=%s", value);
	strv_free(f->process.env);
	f->process.env = NULL;
	strv_push(&f->process.env, entry);
}

static void find_in_path(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *search = NULL;
	struct berth_error *err = NULL;

	make_file(f, "a/prog", 0644);
	make_file(f, "b/prog", 0755);
	xasprintf(&search, "%s/none:%s/a:%s/b", f->dir, f->dir, f->dir);
	set_path(f, search);

	/* A non-executable match earlier in PATH does not hide a later one. */
	assert_int_equal(process_find_executable(&f->process, &path, &err), 0);
	assert_null(err);
	assert_non_null(strstr(path, "/b/prog"));
}

static void find_not_found(void **state)
{
	struct fixture *f = *state;
	char *path = NULL;
	struct berth_error *err = NULL;

	set_path(f, "/nonexistent:/also-nonexistent");
	assert_int_equal(process_find_executable(&f->process, &path, &err), -1);
	assert_null(path);
	assert_int_equal(err->errnum, ENOENT);
	assert_int_equal(err->status, 127);
	assert_string_equal(err->msg,
			    "executable file 'prog' not found in $PATH");
	berth_error_free(&err);
}

static void find_not_executable(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *search = NULL;
	_cleanup_free_ char *dir = NULL;
	char *path = NULL;
	struct berth_error *err = NULL;

	make_file(f, "a/prog", 0644);
	dir = fs_path_join(f->dir, "b/prog");
	assert_int_equal(fs_mkdir_p(dir, 0755, &err), 0);
	xasprintf(&search, "%s/a:%s/b", f->dir, f->dir);
	set_path(f, search);

	assert_int_equal(process_find_executable(&f->process, &path, &err), -1);
	assert_int_equal(err->errnum, EACCES);
	assert_int_equal(err->status, 126);
	assert_non_null(strstr(err->msg, "'prog' found in $PATH"));
	assert_non_null(strstr(err->msg, "/a/prog' is not executable"));
	berth_error_free(&err);
}

static void find_given_paths(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *absolute = fs_path_join(f->dir, "bin/tool");
	char *path = NULL;
	struct berth_error *err = NULL;

	make_file(f, "bin/tool", 0755);
	set_path(f, "/nonexistent");

	free(f->process.args[0]);
	f->process.args[0] = xstrdup(absolute);
	assert_int_equal(process_find_executable(&f->process, &path, &err), 0);
	assert_string_equal(path, absolute);
	free(path);

	/* "./bin/tool" starts at process.cwd, not the caller's directory. */
	free(f->process.args[0]);
	f->process.args[0] = xstrdup("./bin/tool");
	assert_int_equal(process_find_executable(&f->process, &path, &err), 0);
	assert_string_equal(path, "./bin/tool");
	free(path);

	free(f->process.args[0]);
	f->process.args[0] = xstrdup("./bin");
	assert_int_equal(process_find_executable(&f->process, &path, &err), -1);
	assert_int_equal(err->status, 126);
	berth_error_free(&err);

	free(f->process.args[0]);
	f->process.args[0] = xstrdup("/nonexistent/tool");
	assert_int_equal(process_find_executable(&f->process, &path, &err), -1);
	assert_int_equal(err->status, 127);
	assert_int_equal(err->errnum, ENOENT);
	berth_error_free(&err);
}

static void find_default_path(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *path = NULL;
	struct berth_error *err = NULL;

	/* No PATH in the environment: the default PATH has /bin/sh. */
	free(f->process.args[0]);
	f->process.args[0] = xstrdup("sh");
	assert_int_equal(process_find_executable(&f->process, &path, &err), 0);
	assert_non_null(strstr(path, "/sh"));
	assert_int_equal(access(path, X_OK), 0);
}

/* Run fn in a child and return its exit status, so it may change itself. */
static int run_in_child(int (*fn)(struct fixture *), struct fixture *f)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn(f));

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int drop_effective(cap_value_t cap)
{
	cap_t caps = cap_get_proc();
	int r;

	if (caps == NULL)
		return -1;

	r = cap_set_flag(caps, CAP_EFFECTIVE, 1, &cap, CAP_CLEAR);
	if (r == 0)
		r = cap_set_proc(caps);
	cap_free(caps);
	return r;
}

static int child_rlimits(struct fixture *f)
{
	struct spec_rlimit limit = {RLIMIT_NOFILE, 100, 200};
	_cleanup_error_ struct berth_error *err = NULL;
	struct rlimit rl;

	f->process.rlimits = &limit;
	f->process.n_rlimits = 1;
	if (process_apply_rlimits(&f->process, &err) < 0)
		return 1;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur != 100 ||
	    rl.rlim_max != 200)
		return 2;

	/* Without CAP_SYS_RESOURCE the hard limit cannot go up again. */
	if (drop_effective(CAP_SYS_RESOURCE) < 0)
		return 5;

	limit.hard = 300;
	if (process_apply_rlimits(&f->process, &err) == 0)
		return 3;

	if (err->errnum != EPERM ||
	    strstr(err->msg, "set RLIMIT_NOFILE to soft 100, hard 300") ==
		    NULL ||
	    strstr(err->msg, "current 200 needs CAP_SYS_RESOURCE") == NULL)
		return 4;
	return 0;
}

static void apply_rlimits(void **state)
{
	assert_int_equal(run_in_child(child_rlimits, *state), 0);
}

static int child_oom_score(struct fixture *f)
{
	_cleanup_free_ char *data = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	size_t len;

	f->process.has_oom_score_adj = true;
	f->process.oom_score_adj = 500;
	if (process_set_oom_score_adj(&f->process, &err) < 0)
		return 1;

	if (fs_read_file("/proc/self/oom_score_adj", &data, &len, &err) < 0)
		return 2;
	return strcmp(data, "500\n") == 0 ? 0 : 3;
}

static void set_oom_score(void **state)
{
	assert_int_equal(run_in_child(child_oom_score, *state), 0);
}

/*
 * Exec a shell that prints its /proc/self/status into status.txt in the
 * fixture directory, with the fixture's process settings.
 */
static int child_exec_status(struct fixture *f)
{
	_cleanup_json_ json_t *profile = seccomp_default_profile();
	_cleanup_seccomp_ struct spec_seccomp *seccomp = NULL;
	_cleanup_error_ struct berth_error *err = NULL;

	if (spec_parse_seccomp(profile, "seccomp", &seccomp, &err) < 0)
		return 100;

	strv_free(f->process.args);
	f->process.args = NULL;
	strv_push(&f->process.args, "sh");
	strv_push(&f->process.args, "-c");
	strv_push(&f->process.args,
		  "cat /proc/self/status > status.txt && pwd >> status.txt");

	process_exec(&f->process, "/bin/sh", true, seccomp, &err);
	berth_error_report(&err, "test-process", stderr);
	return 101;
}

static char *status_field(const char *status, const char *name)
{
	const char *line = strstr(status, name);
	const char *end;

	assert_non_null(line);
	line += strlen(name);
	line += strspn(line, " \t");
	end = strchrnul(line, '\n');
	while (end > line && end[-1] == ' ')
		end--;
	return xstrndup(line, (size_t)(end - line));
}

static char *exec_and_read_status(struct fixture *f)
{
	_cleanup_free_ char *file = fs_path_join(f->dir, "status.txt");
	struct berth_error *err = NULL;
	char *data = NULL;
	size_t len;

	/* The unprivileged user must be able to write into the directory. */
	assert_int_equal(chmod(f->dir, 0777), 0);
	assert_int_equal(run_in_child(child_exec_status, f), 0);
	assert_int_equal(fs_read_file(file, &data, &len, &err), 0);
	return data;
}

static void assert_status(const char *status, const char *name,
			  const char *expected)
{
	_cleanup_free_ char *value = status_field(status, name);

	assert_string_equal(value, expected);
}

static void exec_non_root_with_caps(void **state)
{
	struct fixture *f = *state;
	gid_t groups[] = {5};
	_cleanup_free_ char *status = NULL;

	f->process.user = (struct spec_user){
		.uid = TEST_UID,
		.gid = TEST_GID,
		.umask = 077,
		.has_umask = true,
		.additional_gids = groups,
		.n_additional_gids = 1,
	};
	f->process.has_capabilities = true;
	f->process.capabilities = (struct spec_capabilities){
		.bounding = (1ULL << CAP_KILL) | (1ULL << CAP_CHOWN),
		.effective = 1ULL << CAP_KILL,
		.permitted = 1ULL << CAP_KILL,
		.inheritable = 1ULL << CAP_KILL,
		.ambient = 1ULL << CAP_KILL,
	};
	f->process.no_new_privileges = true;

	status = exec_and_read_status(f);
	assert_status(status, "Uid:", "4242\t4242\t4242\t4242");
	assert_status(status, "Gid:", "4343\t4343\t4343\t4343");
	assert_status(status, "Groups:", "5");
	assert_status(status, "Umask:", "0077");
	assert_status(status, "CapBnd:", "0000000000000021");
	assert_status(status, "CapAmb:", "0000000000000020");
	assert_status(status, "CapEff:", "0000000000000020");
	assert_status(status, "CapPrm:", "0000000000000020");
	assert_status(status, "NoNewPrivs:", "1");
	assert_status(status, "Seccomp:", "2");
	assert_non_null(strstr(status, f->dir));
}

/*
 * Without no_new_privs the filter is loaded while CAP_SYS_ADMIN is still
 * held, before the switch to a non-root user, and must still be there.
 */
static void exec_seccomp_without_nnp(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *status = NULL;

	f->process.user.uid = TEST_UID;
	f->process.user.gid = TEST_GID;
	f->process.no_new_privileges = false;

	status = exec_and_read_status(f);
	assert_status(status, "Uid:", "4242\t4242\t4242\t4242");
	assert_status(status, "NoNewPrivs:", "0");
	assert_status(status, "Seccomp:", "2");
	assert_status(status, "CapBnd:", "0000000000000000");
	assert_status(status, "CapEff:", "0000000000000000");
	assert_status(status, "Umask:", "0022");
}

static int child_exec_missing(struct fixture *f)
{
	_cleanup_error_ struct berth_error *err = NULL;

	process_exec(&f->process, "/nonexistent/prog", true, NULL, &err);
	if (err == NULL || err->errnum != ENOENT || err->status != 127 ||
	    strcmp(err->msg, "execute '/nonexistent/prog'") != 0)
		return 1;
	return 0;
}

static void exec_missing_file(void **state)
{
	assert_int_equal(run_in_child(child_exec_missing, *state), 0);
}

static int child_bad_cwd(struct fixture *f)
{
	_cleanup_free_ char *cwd = fs_path_join(f->dir, "file/sub");
	_cleanup_error_ struct berth_error *err = NULL;

	/* A regular file in the way: no directory is created over it. */
	make_file(f, "file", 0644);
	free(f->process.cwd);
	f->process.cwd = xstrdup(cwd);
	process_exec(&f->process, "/bin/true", true, NULL, &err);
	if (err == NULL || err->errnum != ENOTDIR ||
	    strstr(err->msg, "change to the working directory") == NULL ||
	    strstr(err->msg, cwd) == NULL)
		return 1;
	return 0;
}

static void exec_bad_cwd(void **state)
{
	assert_int_equal(run_in_child(child_bad_cwd, *state), 0);
}

static void exec_creates_missing_cwd(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *cwd = fs_path_join(f->dir, "new/sub");
	_cleanup_free_ char *status = NULL;
	_cleanup_free_ char *file = NULL;
	_cleanup_free_ char *data = NULL;
	struct berth_error *err = NULL;
	size_t len;

	free(f->process.cwd);
	f->process.cwd = xstrdup(cwd);
	assert_int_equal(run_in_child(child_exec_status, f), 0);

	file = fs_path_join(cwd, "status.txt");
	assert_int_equal(fs_read_file(file, &data, &len, &err), 0);
	assert_non_null(strstr(data, cwd));
}

/*
 * Under the default profile: clone3 fails with ENOSYS so that glibc falls
 * back to clone, clone with a namespace flag and unshare fail with EPERM,
 * and only the listed personality values are accepted.
 */
static int child_default_profile(struct fixture *f)
{
	_cleanup_json_ json_t *profile = seccomp_default_profile();
	_cleanup_seccomp_ struct spec_seccomp *seccomp = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	long r;

	if (spec_parse_seccomp(profile, "seccomp", &seccomp, &err) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    seccomp_load_spec(seccomp, &err) < 0)
		return 100;

	r = syscall(SYS_clone3, NULL, 0);
	if (r != -1 || errno != ENOSYS)
		return 1;

	r = syscall(SYS_clone, CLONE_NEWUTS | SIGCHLD, NULL, NULL, NULL, 0);
	if (r == 0)
		_exit(0);
	if (r != -1 || errno != EPERM)
		return 2;

	if (unshare(CLONE_NEWUTS) != -1 || errno != EPERM)
		return 3;

	if (personality(0xffffffff) < 0)
		return 4;

	if (personality(PER_BSD) != -1 || errno != EPERM)
		return 5;

	/* Plain fork still works: glibc uses clone without namespace flags. */
	r = fork();
	if (r == 0)
		_exit(0);
	if (r < 0 || waitpid((pid_t)r, NULL, 0) != r)
		return 6;
	return 0;
}

static void default_profile_rules(void **state)
{
	assert_int_equal(run_in_child(child_default_profile, *state), 0);
}

/*
 * The same config.json runs under crun and under process_exec, and the
 * identity lines of /proc/self/status must match. crun 1.8 refuses the
 * hybrid cgroup layout even with its cgroup manager disabled, so it runs
 * in a private mount namespace without the cgroup2 mount.
 */
struct crun_case {
	const char *name;
	const char *process; /* JSON, single quotes for double quotes */
	bool seccomp;
};

static const struct crun_case crun_cases[] = {
	{"non-root with ambient and no_new_privs",
	 "{'user': {'uid': 1000, 'gid': 1000, 'umask': 63,"
	 "          'additionalGids': [5, 27]},"
	 " 'capabilities': {"
	 "  'bounding': ['CAP_KILL', 'CAP_CHOWN', 'CAP_NET_BIND_SERVICE'],"
	 "  'effective': ['CAP_KILL', 'CAP_NET_BIND_SERVICE'],"
	 "  'permitted': ['CAP_KILL', 'CAP_NET_BIND_SERVICE'],"
	 "  'inheritable': ['CAP_KILL', 'CAP_NET_BIND_SERVICE'],"
	 "  'ambient': ['CAP_NET_BIND_SERVICE']},"
	 " 'noNewPrivileges': true}",
	 true},
	{"non-root without no_new_privs",
	 "{'user': {'uid': 1000, 'gid': 1000, 'additionalGids': [5]},"
	 " 'capabilities': {"
	 "  'bounding': ['CAP_KILL', 'CAP_NET_BIND_SERVICE'],"
	 "  'effective': ['CAP_KILL'], 'permitted': ['CAP_KILL'],"
	 "  'inheritable': ['CAP_KILL'], 'ambient': ['CAP_KILL']},"
	 " 'noNewPrivileges': false}",
	 true},
	{"root with the default capabilities",
	 "{'user': {'uid': 0, 'gid': 0},"
	 " 'capabilities': {"
	 "  'bounding': ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID',"
	 "   'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',"
	 "   'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP',"
	 "   'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL',"
	 "   'CAP_AUDIT_WRITE'],"
	 "  'effective': ['CAP_CHOWN', 'CAP_KILL', 'CAP_SETUID'],"
	 "  'permitted': ['CAP_CHOWN', 'CAP_KILL', 'CAP_SETUID']}}",
	 true},
	{"root without a capabilities object",
	 "{'user': {'uid': 0, 'gid': 0}, 'noNewPrivileges': true}", false},
	{"non-root without capabilities",
	 "{'user': {'uid': 1000, 'gid': 1000}, 'noNewPrivileges': true}", true},
};

static const char *const compared_fields[] = {
	"Umask:",  "Uid:",	  "Gid:",     "Groups:",
	"CapInh:", "CapPrm:",	  "CapEff:",  "CapBnd:",
	"CapAmb:", "NoNewPrivs:", "Seccomp:", "Seccomp_filters:",
};

static json_t *parse_quoted(const char *text)
{
	_cleanup_free_ char *copy = xstrdup(text);
	json_error_t error;
	json_t *j;

	for (char *p = copy; *p != '\0'; p++) {
		if (*p == '\'')
			*p = '"';
	}
	j = json_loads(copy, 0, &error);
	assert_non_null(j);
	return j;
}

/* Write bundle/config.json and bundle/rootfs with a static busybox. */
static void write_bundle(const char *bundle, const struct crun_case *c)
{
	_cleanup_free_ char *rootfs = fs_path_join(bundle, "rootfs");
	_cleanup_free_ char *bin = fs_path_join(rootfs, "bin");
	_cleanup_free_ char *proc = fs_path_join(rootfs, "proc");
	_cleanup_free_ char *dev = fs_path_join(rootfs, "dev");
	_cleanup_free_ char *busybox = fs_path_join(bin, "busybox");
	_cleanup_free_ char *config = fs_path_join(bundle, "config.json");
	_cleanup_free_ char *data = NULL;
	_cleanup_json_ json_t *spec = NULL;
	json_t *process = parse_quoted(c->process);
	struct berth_error *err = NULL;
	size_t len;

	assert_int_equal(fs_mkdir_p(bin, 0755, &err), 0);
	assert_int_equal(fs_mkdir_p(proc, 0755, &err), 0);
	assert_int_equal(fs_mkdir_p(dev, 0755, &err), 0);
	assert_int_equal(fs_read_file("/bin/busybox", &data, &len, &err), 0);
	assert_int_equal(fs_write_atomic(busybox, data, len, 0755, &err), 0);

	json_object_set_new(process, "args",
			    json_pack("[s, s, s]", "/bin/busybox", "cat",
				      "/proc/self/status"));
	json_object_set_new(process, "cwd", json_string("/"));
	json_object_set_new(process, "env", json_pack("[s]", "PATH=/bin"));
	spec = json_pack("{s:s, s:{s:s, s:b}, s:o, s:[{s:s, s:s, s:s}],"
			 " s:{s:[{s:s}, {s:s}, {s:s}, {s:s}]}}",
			 "ociVersion", "1.0.2", "root", "path", "rootfs",
			 "readonly", 1, "process", process, "mounts",
			 "destination", "/proc", "type", "proc", "source",
			 "proc", "linux", "namespaces", "type", "pid", "type",
			 "mount", "type", "ipc", "type", "uts");
	assert_non_null(spec);
	if (c->seccomp)
		json_object_set_new(json_object_get(spec, "linux"), "seccomp",
				    seccomp_default_profile());
	assert_int_equal(json_write_file_atomic(config, spec, &err), 0);
}

/* Run argv, or fn when argv is NULL, in a child; return its stdout. */
static char *capture_output(char *const argv[], void (*fn)(void *), void *arg)
{
	struct berth_error *err = NULL;
	char *out = NULL;
	int fds[2], status;
	size_t len;
	pid_t pid;

	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(120);
		if (argv != NULL)
			execvp(argv[0], argv);
		else
			fn(arg);
		_exit(121);
	}

	close(fds[1]);
	assert_int_equal(fs_read_all(fds[0], &out, &len, &err), 0);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	return out;
}

static char *run_crun(const char *bundle, const char *state_dir)
{
	_cleanup_free_ char *script = NULL;
	_cleanup_free_ char *id = NULL;

	xasprintf(&id, "berth-test-%d", (int)getpid());
	xasprintf(&script,
		  "umount -l /sys/fs/cgroup/unified 2>/dev/null; "
		  "exec crun --root '%s' --cgroup-manager=disabled run "
		  "--bundle '%s' '%s'",
		  state_dir, bundle, id);

	char *argv[] = {"unshare", "-m", "--propagation", "private",
			"sh",	   "-c", script,	  NULL};

	return capture_output(argv, NULL, NULL);
}

/* The container's root is the bundle's rootfs; berth runs on the host. */
static void exec_bundle_process(void *arg)
{
	const char *bundle = arg;
	_cleanup_free_ char *config = fs_path_join(bundle, "config.json");
	_cleanup_free_ char *busybox =
		fs_path_join(bundle, "rootfs/bin/busybox");
	_cleanup_spec_ struct spec *spec = NULL;
	struct berth_error *err = NULL;

	if (spec_load(config, &spec, &err) < 0)
		_exit(122);

	process_exec(spec->process, busybox, true, spec->linux.seccomp, &err);
	berth_error_report(&err, "test-process", stderr);
	_exit(123);
}

static void compare_with_crun(const char *dir, const struct crun_case *c)
{
	_cleanup_free_ char *bundle = fs_path_join(dir, "bundle");
	_cleanup_free_ char *state_dir = fs_path_join(dir, "crun-state");
	_cleanup_free_ char *crun = NULL;
	_cleanup_free_ char *berth = NULL;
	struct berth_error *err = NULL;

	/* The container user must reach busybox inside the fixture. */
	assert_int_equal(chmod(dir, 0755), 0);
	write_bundle(bundle, c);
	crun = run_crun(bundle, state_dir);
	berth = capture_output(NULL, exec_bundle_process, bundle);

	for (size_t i = 0; i < ARRAY_SIZE(compared_fields); i++) {
		_cleanup_free_ char *want =
			status_field(crun, compared_fields[i]);
		_cleanup_free_ char *got =
			status_field(berth, compared_fields[i]);

		if (strcmp(want, got) != 0)
			fail_msg("%s: %s is '%s' under crun, '%s' under berth",
				 c->name, compared_fields[i], want, got);
	}
	assert_int_equal(fs_rm_rf(bundle, &err), 0);
}

static void exec_matches_crun(void **state)
{
	struct fixture *f = *state;

	if (system("crun --version >/dev/null 2>&1") != 0 ||
	    access("/bin/busybox", X_OK) < 0)
		skip();

	for (size_t i = 0; i < ARRAY_SIZE(crun_cases); i++)
		compare_with_crun(f->dir, &crun_cases[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(find_in_path, setup, teardown),
		cmocka_unit_test_setup_teardown(find_not_found, setup,
						teardown),
		cmocka_unit_test_setup_teardown(find_not_executable, setup,
						teardown),
		cmocka_unit_test_setup_teardown(find_given_paths, setup,
						teardown),
		cmocka_unit_test_setup_teardown(find_default_path, setup,
						teardown),
		cmocka_unit_test_setup_teardown(apply_rlimits, setup, teardown),
		cmocka_unit_test_setup_teardown(set_oom_score, setup, teardown),
		cmocka_unit_test_setup_teardown(exec_non_root_with_caps, setup,
						teardown),
		cmocka_unit_test_setup_teardown(exec_seccomp_without_nnp, setup,
						teardown),
		cmocka_unit_test_setup_teardown(exec_missing_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(exec_bad_cwd, setup, teardown),
		cmocka_unit_test_setup_teardown(default_profile_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(exec_creates_missing_cwd, setup,
						teardown),
		cmocka_unit_test_setup_teardown(exec_matches_crun, setup,
						teardown),
	};

	/* The tests switch users and set capabilities; TAP reports a skip. */
	if (geteuid() != 0) {
		printf("1..0 # SKIP test-process needs root\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

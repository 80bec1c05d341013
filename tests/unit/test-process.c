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
	struct berth_error *err = NULL;
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
	struct berth_error *err = NULL;
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
	struct spec_seccomp *seccomp = NULL;
	struct berth_error *err = NULL;

	if (spec_parse_seccomp(profile, "seccomp", &seccomp, &err) < 0)
		return 100;

	strv_free(f->process.args);
	f->process.args = NULL;
	strv_push(&f->process.args, "sh");
	strv_push(&f->process.args, "-c");
	strv_push(&f->process.args,
		  "cat /proc/self/status > status.txt && pwd >> status.txt");

	process_exec(&f->process, "/bin/sh", seccomp, &err);
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
	struct berth_error *err = NULL;

	process_exec(&f->process, "/nonexistent/prog", NULL, &err);
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
	struct berth_error *err = NULL;

	/* A regular file in the way: no directory is created over it. */
	make_file(f, "file", 0644);
	free(f->process.cwd);
	f->process.cwd = xstrdup(cwd);
	process_exec(&f->process, "/bin/true", NULL, &err);
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
	struct spec_seccomp *seccomp = NULL;
	struct berth_error *err = NULL;
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

	spec_seccomp_free(seccomp);
	return 0;
}

static void default_profile_rules(void **state)
{
	assert_int_equal(run_in_child(child_default_profile, *state), 0);
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
	};

	/* The tests switch users and set capabilities; TAP reports a skip. */
	if (geteuid() != 0) {
		printf("1..0 # SKIP test-process needs root\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

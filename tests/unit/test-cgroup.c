/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cgroup tests against the real kernel, as root. Each test works below
 * its own "berth-test-PID-N" cgroup, relative to the test's own cgroup in
 * every hierarchy, and the per-test teardown removes it even after a
 * failed check. Tests for controllers the host does not offer are
 * skipped, so the file runs on v1, hybrid and v2 hosts.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "runtime/cgroup-internal.h"
#include "runtime/cgroup.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define MIB (1024 * 1024)

/* Every v1 controller the tests look for; absent ones are skipped. */
static const char *const v1_controllers[] = {
	"cpu",	   "cpuacct", "cpuset", "memory",	"devices",
	"freezer", "blkio",   "pids",	"name=systemd",
};

struct fixture {
	char *top;	/* "berth-test-PID-N", removed by the teardown */
	char *path;	/* "berth-test-PID-N/ctr" */
	char *root_top; /* "/berth-test-PID-N", also removed when set */
	pid_t children[2];
	enum cgroup_mode mode;
};

static int setup(void **state)
{
	static int counter;
	struct berth_error *err = NULL;
	struct fixture *f = xzalloc(sizeof(*f));

	if (cgroup_detect_mode(&f->mode, &err) < 0) {
		berth_error_free(&err);
		free(f);
		return -1;
	}
	xasprintf(&f->top, "berth-test-%d-%d", (int)getpid(), ++counter);
	xasprintf(&f->path, "%s/ctr", f->top);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	struct berth_error *err = NULL;
	int ret = 0;

	for (size_t i = 0; i < ARRAY_SIZE(f->children); i++) {
		if (f->children[i] <= 0)
			continue;
		(void)cgroup_freeze(f->path, false, NULL);
		(void)kill(f->children[i], SIGKILL);
		(void)waitpid(f->children[i], NULL, 0);
	}
	if (getuid() == 0 && cgroup_destroy(f->top, &err) < 0) {
		fprintf(stderr, "# teardown: %s\n", err->msg);
		berth_error_free(&err);
		ret = -1;
	}
	if (f->root_top != NULL && cgroup_destroy(f->root_top, &err) < 0) {
		fprintf(stderr, "# teardown: %s\n", err->msg);
		berth_error_free(&err);
		ret = -1;
	}
	free(f->root_top);
	free(f->top);
	free(f->path);
	free(f);
	return ret;
}

static struct spec_resources empty_resources(void)
{
	return (struct spec_resources){
		.memory = {.limit = -1,
			   .reservation = -1,
			   .swap = -1,
			   .swappiness = -1},
		.cpu = {.quota = -1},
		.pids_limit = -1,
	};
}

/* Fork a child that waits in pause() until killed. */
static pid_t spawn_sleeper(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static void kill_child(pid_t *pid)
{
	int status;

	assert_int_equal(kill(*pid, SIGKILL), 0);
	assert_int_equal(waitpid(*pid, &status, 0), *pid);
	*pid = 0;
}

static char *controller_dir(const char *path, const char *controller)
{
	struct berth_error *err = NULL;
	char *dir = NULL;

	if (cgroup_controller_dir(path, controller, &dir, &err) < 0) {
		assert_int_equal(err->errnum, ENOENT);
		berth_error_free(&err);
		return NULL;
	}
	return dir;
}

static void assert_file(const char *dir, const char *file, const char *expected)
{
	_cleanup_free_ char *path = fs_path_join(dir, file);
	_cleanup_free_ char *data = NULL;
	struct berth_error *err = NULL;
	size_t len;

	assert_int_equal(fs_read_file(path, &data, &len, &err), 0);
	while (len > 0 && data[len - 1] == '\n')
		data[--len] = '\0';
	if (strcmp(data, expected) != 0)
		fail_msg("'%s' reads '%s', expected '%s'", path, data,
			 expected);
}

static bool file_has_line(const char *dir, const char *file, const char *line)
{
	_cleanup_free_ char *path = fs_path_join(dir, file);
	_cleanup_free_ char *data = NULL;
	struct berth_error *err = NULL;
	size_t len, n = strlen(line);

	assert_int_equal(fs_read_file(path, &data, &len, &err), 0);
	for (char *p = data; (p = strstr(p, line)) != NULL; p += n) {
		if ((p == data || p[-1] == '\n') &&
		    (p[n] == '\n' || p[n] == '\0'))
			return true;
	}
	return false;
}

static bool v2_offers(const char *controller)
{
	_cleanup_free_ char *data = NULL;
	struct berth_error *err = NULL;
	size_t len;

	if (fs_read_file("/sys/fs/cgroup/cgroup.controllers", &data, &len,
			 &err) < 0) {
		berth_error_free(&err);
		return false;
	}
	return strstr(data, controller) != NULL;
}

/* Whether the host can take a limit for controller at all. */
static bool has_controller(enum cgroup_mode mode, const char *controller)
{
	_cleanup_free_ char *dir = NULL;

	if (mode == CGROUP_MODE_V2)
		return v2_offers(controller);
	dir = controller_dir("/", controller);
	return dir != NULL;
}

/*
 * Every line of /proc/PID/cgroup, the v1 hierarchies and the cgroup2
 * one alike, must end in "/path". On v2 only the cgroup2 line counts:
 * v1 hierarchies may exist in the kernel without being mounted here.
 */
static void assert_member_everywhere(const struct fixture *f, pid_t pid,
				     const char *path)
{
	_cleanup_free_ char *proc = NULL, *data = NULL, *suffix = NULL;
	struct berth_error *err = NULL;
	char *save = NULL;
	size_t len, lines = 0;

	xasprintf(&proc, "/proc/%d/cgroup", (int)pid);
	/* An absolute path sits right below the root: "N:ctrl:/path". */
	xasprintf(&suffix, "%s%s", path[0] == '/' ? ":" : "/", path);
	assert_int_equal(fs_read_file(proc, &data, &len, &err), 0);
	for (char *l = strtok_r(data, "\n", &save); l != NULL;
	     l = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(l), s = strlen(suffix);

		if (f->mode == CGROUP_MODE_V2 && strncmp(l, "0::", 3) != 0)
			continue;
		if (n < s || strcmp(l + n - s, suffix) != 0)
			fail_msg("pid %d is not in '%s': '%s'", (int)pid, path,
				 l);
		lines++;
	}
	assert_true(lines > 0);
}

static void assert_gone_everywhere(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(v1_controllers); i++) {
		_cleanup_free_ char *dir =
			controller_dir(path, v1_controllers[i]);

		if (dir != NULL && fs_exists(dir))
			fail_msg("'%s' still exists", dir);
	}

	_cleanup_free_ char *unified = controller_dir(path, NULL);

	if (unified != NULL && fs_exists(unified))
		fail_msg("'%s' still exists", unified);
}

static void path_normalize_rules(void **state)
{
	struct berth_error *err = NULL;
	char *path = NULL;

	assert_int_equal(cgroup_path_normalize(NULL, "abc", &path, &err), 0);
	assert_string_equal(path, "/berth/abc");
	free(path);

	assert_int_equal(cgroup_path_normalize("/a//b/./c/", "x", &path, &err),
			 0);
	assert_string_equal(path, "/a/b/c");
	free(path);

	assert_int_equal(cgroup_path_normalize("a/b/", "x", &path, &err), 0);
	assert_string_equal(path, "a/b");
	free(path);
	path = NULL;

	assert_int_equal(cgroup_path_normalize("/a/../b", "x", &path, &err),
			 -1);
	assert_int_equal(err->errnum, EINVAL);
	assert_non_null(strstr(err->msg, "'..'"));
	berth_error_free(&err);

	assert_int_equal(cgroup_path_normalize("/", "x", &path, &err), -1);
	assert_int_equal(err->errnum, EINVAL);
	berth_error_free(&err);
	assert_null(path);
}

static void path_systemd_form_rejected(void **state)
{
	struct berth_error *err = NULL;
	char *path = NULL;

	assert_int_equal(cgroup_path_normalize("system.slice:berth:abc", "abc",
					       &path, &err),
			 -1);
	assert_int_equal(err->errnum, ENOTSUP);
	assert_non_null(strstr(err->msg, "systemd"));
	berth_error_free(&err);
	assert_null(path);
}

static void v2_cpu_weight_conversion(void **state)
{
	assert_int_equal(cgroup_v2_cpu_weight(2), 1);
	assert_int_equal(cgroup_v2_cpu_weight(1024), 39);
	assert_int_equal(cgroup_v2_cpu_weight(262144), 10000);
	/* Out-of-range shares are clamped, not wrapped. */
	assert_int_equal(cgroup_v2_cpu_weight(1), 1);
	assert_int_equal(cgroup_v2_cpu_weight(1000000), 10000);
}

static void v2_swap_conversion(void **state)
{
	struct spec_resources r = empty_resources();
	struct berth_error *err = NULL;
	char buf[32];

	r.memory.limit = 64 * MIB;
	r.memory.swap = 96 * MIB;
	assert_int_equal(cgroup_v2_swap_max(&r.memory, buf, sizeof(buf), &err),
			 0);
	assert_string_equal(buf, "33554432");

	r.memory.swap = -1;
	assert_int_equal(cgroup_v2_swap_max(&r.memory, buf, sizeof(buf), &err),
			 0);
	assert_string_equal(buf, "max");

	r.memory.swap = 32 * MIB;
	assert_int_equal(cgroup_v2_swap_max(&r.memory, buf, sizeof(buf), &err),
			 -1);
	assert_int_equal(err->errnum, EINVAL);
	berth_error_free(&err);

	r.memory.limit = -1;
	assert_int_equal(cgroup_v2_swap_max(&r.memory, buf, sizeof(buf), &err),
			 -1);
	assert_non_null(strstr(err->msg, "needs a memory limit"));
	berth_error_free(&err);
}

static void detect_mode_matches_mounts(void **state)
{
	struct berth_error *err = NULL;
	enum cgroup_mode mode;

	assert_int_equal(cgroup_detect_mode(&mode, &err), 0);
	if (fs_exists("/sys/fs/cgroup/cgroup.controllers"))
		assert_int_equal(mode, CGROUP_MODE_V2);
	else if (fs_exists("/sys/fs/cgroup/unified/cgroup.controllers"))
		assert_int_equal(mode, CGROUP_MODE_HYBRID);
	else
		assert_int_equal(mode, CGROUP_MODE_V1);
}

static void create_dotdot_rejected(void **state)
{
	struct fixture *f = *state;
	struct berth_error *err = NULL;
	_cleanup_free_ char *bad = NULL;
	char *path = NULL;

	xasprintf(&bad, "%s/../escape", f->top);
	assert_int_equal(cgroup_create(bad, "x", NULL, getpid(), &path, &err),
			 -1);
	assert_int_equal(err->errnum, EINVAL);
	berth_error_free(&err);
	assert_null(path);
	assert_gone_everywhere(f->top);
}

static struct spec_device_rule device_rules[] = {
	{.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm"},
	{.allow = true, .type = 'c', .major = -1, .minor = -1, .access = "m"},
	{.allow = false, .type = 'c', .major = 1, .minor = 3, .access = "w"},
};

/* Resources whose expected file contents the checks below list. */
static struct spec_resources full_resources(void)
{
	struct spec_resources r = empty_resources();

	r.memory.limit = 64 * MIB;
	r.memory.reservation = 32 * MIB;
	r.memory.swap = 128 * MIB;
	r.memory.swappiness = 10;
	r.memory.disable_oom_killer = true;
	r.cpu.shares = 512;
	r.cpu.quota = 100000;
	r.cpu.period = 200000;
	r.cpu.cpus = "0";
	r.cpu.mems = "0";
	r.pids_limit = 10;
	r.devices = device_rules;
	r.n_devices = ARRAY_SIZE(device_rules);
	return r;
}

static void check_v1_files(const char *path)
{
	_cleanup_free_ char *mem = controller_dir(path, "memory");
	_cleanup_free_ char *cpu = controller_dir(path, "cpu");
	_cleanup_free_ char *cpuset = controller_dir(path, "cpuset");
	_cleanup_free_ char *pids = controller_dir(path, "pids");
	_cleanup_free_ char *dev = controller_dir(path, "devices");

	if (mem != NULL) {
		assert_file(mem, "memory.limit_in_bytes", "67108864");
		assert_file(mem, "memory.soft_limit_in_bytes", "33554432");
		assert_file(mem, "memory.swappiness", "10");
		assert_true(file_has_line(mem, "memory.oom_control",
					  "oom_kill_disable 1"));
		if (fs_exists("/sys/fs/cgroup/memory/"
			      "memory.memsw.usage_in_bytes"))
			assert_file(mem, "memory.memsw.limit_in_bytes",
				    "134217728");
	}
	if (cpu != NULL) {
		assert_file(cpu, "cpu.shares", "512");
		assert_file(cpu, "cpu.cfs_period_us", "200000");
		assert_file(cpu, "cpu.cfs_quota_us", "100000");
	}
	if (cpuset != NULL) {
		assert_file(cpuset, "cpuset.cpus", "0");
		assert_file(cpuset, "cpuset.mems", "0");
	}
	if (pids != NULL)
		assert_file(pids, "pids.max", "10");
	if (dev != NULL) {
		/* "a" was denied first; the later deny took w from 1:3. */
		assert_true(file_has_line(dev, "devices.list", "c 1:3 rm"));
		assert_true(file_has_line(dev, "devices.list", "c *:* m"));
		assert_false(file_has_line(dev, "devices.list", "a *:* rwm"));
	}
}

static void create_v1_resources(void **state)
{
	struct fixture *f = *state;
	struct spec_resources r = full_resources();
	struct berth_error *err = NULL;
	_cleanup_free_ char *path = NULL;
	struct cgroup_stats stats;

	f->children[0] = spawn_sleeper();
	if (cgroup_create(f->path, "x", &r, f->children[0], &path, &err) < 0)
		fail_msg("cgroup_create: %s", err->msg);
	assert_string_equal(path, f->path);
	check_v1_files(path);
	assert_member_everywhere(f, f->children[0], path);

	assert_int_equal(cgroup_stats(path, &stats, &err), 0);
	assert_true(stats.has_memory);
	assert_int_equal(stats.memory_limit, 64 * MIB);
	assert_true(stats.has_pids);
	assert_int_equal(stats.pids_current, 1);
	assert_true(stats.has_cpu);

	kill_child(&f->children[0]);
	assert_int_equal(cgroup_destroy(path, &err), 0);
	assert_gone_everywhere(path);
}

static void create_v2_resources(void **state)
{
	struct fixture *f = *state;
	struct spec_resources r = full_resources();
	struct berth_error *err = NULL;
	_cleanup_free_ char *path = NULL, *dir = NULL;

	f->children[0] = spawn_sleeper();
	if (cgroup_create(f->path, "x", &r, f->children[0], &path, &err) < 0)
		fail_msg("cgroup_create: %s", err->msg);
	dir = controller_dir(path, NULL);
	assert_file(dir, "memory.max", "67108864");
	assert_file(dir, "memory.low", "33554432");
	/* memory.swap.max exists only while the kernel accounts swap. */
	_cleanup_free_ char *swap = fs_path_join(dir, "memory.swap.max");

	if (fs_exists(swap))
		assert_file(dir, "memory.swap.max", "67108864");
	/* 1 + (512 - 2) * 9999 / 262142 */
	assert_file(dir, "cpu.weight", "20");
	assert_file(dir, "cpu.max", "100000 200000");
	assert_file(dir, "cpuset.cpus", "0");
	assert_file(dir, "cpuset.mems", "0");
	assert_file(dir, "pids.max", "10");
	assert_member_everywhere(f, f->children[0], path);

	kill_child(&f->children[0]);
	assert_int_equal(cgroup_destroy(path, &err), 0);
	assert_gone_everywhere(path);
}

/*
 * A limit for a controller the cgroup2 tree does not offer fails and
 * names the controller, rather than leaving the container unlimited.
 */
static void v2_missing_controller_fails(void **state)
{
	struct fixture *f = *state;
	struct spec_resources r = empty_resources();
	struct berth_error *err = NULL;
	char *path = NULL;

	r.memory.limit = 64 * MIB;
	f->children[0] = spawn_sleeper();
	assert_int_equal(
		cgroup_create(f->path, "x", &r, f->children[0], &path, &err),
		-1);
	assert_int_equal(err->errnum, ENOTSUP);
	assert_non_null(strstr(err->msg, "'memory'"));
	berth_error_free(&err);
	assert_null(path);
	assert_gone_everywhere(f->top);
}

static void unified_map(void **state)
{
	struct fixture *f = *state;
	struct spec_resources r = empty_resources();
	struct berth_error *err = NULL;
	_cleanup_free_ char *path = NULL, *dir = NULL;

	r.unified = json_pack("{s:s}", "cgroup.max.descendants", "5");
	f->children[0] = spawn_sleeper();
	if (f->mode != CGROUP_MODE_V2) {
		/* v1 and hybrid have nowhere to apply v2 keys. */
		assert_int_equal(cgroup_create(f->path, "x", &r, f->children[0],
					       &path, &err),
				 -1);
		assert_int_equal(err->errnum, ENOTSUP);
		berth_error_free(&err);
		json_decref(r.unified);
		assert_gone_everywhere(f->top);
		return;
	}

	if (cgroup_create(f->path, "x", &r, f->children[0], &path, &err) < 0)
		fail_msg("cgroup_create: %s", err->msg);
	json_decref(r.unified);
	dir = controller_dir(path, NULL);
	assert_file(dir, "cgroup.max.descendants", "5");
}

static void assert_frozen(const struct fixture *f, const char *path,
			  bool frozen)
{
	_cleanup_free_ char *freezer = controller_dir(path, "freezer");
	_cleanup_free_ char *unified = NULL;

	if (f->mode != CGROUP_MODE_V2 && freezer != NULL) {
		assert_file(freezer, "freezer.state",
			    frozen ? "FROZEN" : "THAWED");
		return;
	}
	unified = controller_dir(path, NULL);
	assert_true(file_has_line(unified, "cgroup.events",
				  frozen ? "frozen 1" : "frozen 0"));
}

static bool pids_contain(const pid_t *pids, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++) {
		if (pids[i] == pid)
			return true;
	}
	return false;
}

static void assert_pids(const char *path, pid_t a, pid_t b, size_t count)
{
	struct berth_error *err = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;

	if (cgroup_pids(path, &pids, &n, &err) < 0)
		fail_msg("cgroup_pids: %s", err->msg);
	assert_int_equal(n, count);
	assert_true(pids_contain(pids, n, a));
	if (count > 1)
		assert_true(pids_contain(pids, n, b));
}

/*
 * Create, a nested cgroup, enter, list pids recursively, freeze, thaw,
 * kill and destroy, with no resources so that it runs on every layout.
 */
static void process_lifecycle(void **state)
{
	struct fixture *f = *state;
	struct berth_error *err = NULL;
	_cleanup_free_ char *path = NULL, *sub = NULL, *sub_path = NULL;
	_cleanup_free_ char *procs_dir = NULL;
	struct cgroup_stats stats;
	char pid_line[16];

	f->children[0] = spawn_sleeper();
	f->children[1] = spawn_sleeper();
	if (cgroup_create(f->path, "x", NULL, f->children[0], &path, &err) < 0)
		fail_msg("cgroup_create: %s", err->msg);
	assert_member_everywhere(f, f->children[0], path);
	procs_dir =
		controller_dir(path, f->mode == CGROUP_MODE_V2 ? NULL : "pids");
	snprintf(pid_line, sizeof(pid_line), "%d", (int)f->children[0]);
	assert_true(file_has_line(procs_dir, "cgroup.procs", pid_line));
	assert_pids(path, f->children[0], 0, 1);

	/* cgroup_pids descends into child cgroups. */
	xasprintf(&sub, "%s/sub", f->path);
	if (cgroup_create(sub, "x", NULL, f->children[1], &sub_path, &err) < 0)
		fail_msg("cgroup_create: %s", err->msg);
	assert_member_everywhere(f, f->children[1], sub_path);
	assert_pids(path, f->children[0], f->children[1], 2);

	/* The nested cgroup is removed by destroy below, not here. */
	assert_int_equal(cgroup_enter(path, f->children[1], &err), 0);
	assert_member_everywhere(f, f->children[1], path);

	assert_int_equal(cgroup_freeze(path, true, &err), 0);
	assert_frozen(f, path, true);
	assert_int_equal(cgroup_freeze(path, false, &err), 0);
	assert_frozen(f, path, false);

	assert_int_equal(cgroup_stats(path, &stats, &err), 0);
	assert_true(stats.has_cpu);
	if (stats.has_pids)
		assert_int_equal(stats.pids_current, 2);

	kill_child(&f->children[0]);
	kill_child(&f->children[1]);
	if (cgroup_destroy(path, &err) < 0)
		fail_msg("cgroup_destroy: %s", err->msg);
	assert_gone_everywhere(sub_path);
	assert_gone_everywhere(path);

	/* Destroying again finds nothing and succeeds. */
	assert_int_equal(cgroup_destroy(path, &err), 0);
}

/* "/a/b" is taken from the root of every hierarchy, not the caller's. */
static void absolute_path_from_roots(void **state)
{
	struct fixture *f = *state;
	struct berth_error *err = NULL;
	_cleanup_free_ char *abs = NULL, *path = NULL;

	xasprintf(&f->root_top, "/%s", f->top);
	xasprintf(&abs, "%s/ctr", f->root_top);
	f->children[0] = spawn_sleeper();
	if (cgroup_create(abs, "x", NULL, f->children[0], &path, &err) < 0)
		fail_msg("cgroup_create: %s", err->msg);
	assert_string_equal(path, abs);
	assert_member_everywhere(f, f->children[0], path);

	kill_child(&f->children[0]);
	assert_int_equal(cgroup_destroy(path, &err), 0);
	assert_gone_everywhere(path);
}

/*
 * An invalid value fails with the file and the value named, and every
 * directory the call created is removed again, its parent included.
 */
static void invalid_cpuset_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct spec_resources r = empty_resources();
	struct berth_error *err = NULL;
	char *path = NULL;

	r.cpu.cpus = "99999";
	f->children[0] = spawn_sleeper();
	assert_int_equal(
		cgroup_create(f->path, "x", &r, f->children[0], &path, &err),
		-1);
	assert_null(path);
	assert_non_null(strstr(err->msg, "write '99999' to '"));
	assert_non_null(strstr(err->msg, "/cpuset.cpus'"));
	berth_error_free(&err);
	assert_gone_everywhere(f->top);
}

/* Child side: wait for the go byte, then touch 200 MiB. */
static _Noreturn void allocate_after_go(int go_fd)
{
	size_t size = 200 * MIB;
	char byte, *p;

	if (read(go_fd, &byte, 1) != 1)
		_exit(2);
	p = malloc(size);
	if (p == NULL)
		_exit(3);
	for (size_t i = 0; i < size; i += 4096)
		p[i] = 1;
	_exit(0);
}

static void memory_limit_enforced(void **state)
{
	struct fixture *f = *state;
	struct spec_resources r = empty_resources();
	struct berth_error *err = NULL;
	_cleanup_free_ char *path = NULL, *mem = NULL;
	int go[2], status;

	/* memory+swap equal to memory leaves no room to swap out to. */
	r.memory.limit = 32 * MIB;
	r.memory.swap = 32 * MIB;
	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	f->children[0] = fork();
	assert_true(f->children[0] >= 0);
	if (f->children[0] == 0) {
		close(go[1]);
		allocate_after_go(go[0]);
	}
	close(go[0]);

	if (cgroup_create(f->path, "x", &r, f->children[0], &path, &err) < 0)
		fail_msg("cgroup_create: %s", err->msg);
	assert_int_equal(write(go[1], "g", 1), 1);
	close(go[1]);
	assert_int_equal(waitpid(f->children[0], &status, 0), f->children[0]);
	f->children[0] = 0;
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);

	mem = controller_dir(path, f->mode == CGROUP_MODE_V2 ? NULL : "memory");
	assert_true(file_has_line(mem,
				  f->mode == CGROUP_MODE_V2 ?
					  "memory.events" :
					  "memory.oom_control",
				  "oom_kill 1"));
}

/* What a test needs from the host; tests whose needs fail are not run. */
struct device_probe {
	const char *path;
	int flags;
	int expected_errno; /* 0 when the open must succeed */
};

/* Join the cgroup2 directory dir, then open each probe; 0 when all match. */
static int child_probe_devices(const char *dir,
			       const struct device_probe *probes, size_t n)
{
	struct berth_error *err = NULL;

	if (cgroup_write_int(dir, "cgroup.procs", getpid(), &err) < 0)
		return 100;

	for (size_t i = 0; i < n; i++) {
		int fd = open(probes[i].path, probes[i].flags | O_CLOEXEC);
		int e = fd < 0 ? errno : 0;

		if (fd >= 0)
			close(fd);
		if (e != probes[i].expected_errno)
			return (int)i + 1;
	}
	return 0;
}

static void check_device_rules(const char *dir,
			       const struct spec_device_rule *rules,
			       size_t n_rules,
			       const struct device_probe *probes,
			       size_t n_probes)
{
	struct spec_resources r = empty_resources();
	struct berth_error *err = NULL;
	int status;
	pid_t pid;

	r.devices = (struct spec_device_rule *)rules;
	r.n_devices = n_rules;
	assert_int_equal(mkdir(dir, 0755), 0);
	if (cgroup_v2_apply_devices(dir, &r, &err) < 0)
		fail_msg("cgroup_v2_apply_devices: %s", err->msg);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_probe_devices(dir, probes, n_probes));

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != 0)
		fail_msg("device probe %d under '%s' gave the wrong result",
			 WEXITSTATUS(status), dir);
	assert_int_equal(rmdir(dir), 0);
}

/*
 * The device program on a cgroup2 directory gives the v1 result: later
 * rules override earlier ones, access by access. /dev/null is c 1:3,
 * /dev/zero c 1:5. The program works on any cgroup2 directory, so the
 * hybrid layout runs this too.
 */
static void v2_device_rules_enforced(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *top = controller_dir(f->top, NULL);
	_cleanup_free_ char *deny_dir = fs_path_join(top, "deny-default");
	_cleanup_free_ char *allow_dir = fs_path_join(top, "allow-default");
	static const struct spec_device_rule deny_rules[] = {
		{false, 'a', -1, -1, "rwm"},
		{true, 'c', 1, 3, "rw"},
		{false, 'c', 1, 3, "w"},
		{true, 'c', 1, -1, "m"},
	};
	static const struct device_probe deny_probes[] = {
		{"/dev/null", O_RDONLY, 0},
		{"/dev/null", O_WRONLY, EPERM},
		{"/dev/null", O_RDWR, EPERM},
		{"/dev/zero", O_RDONLY, EPERM},
	};
	static const struct spec_device_rule allow_rules[] = {
		{true, 'a', -1, -1, "rwm"},
		{false, 'c', 1, 5, "r"},
	};
	static const struct device_probe allow_probes[] = {
		{"/dev/null", O_RDWR, 0},
		{"/dev/zero", O_WRONLY, 0},
		{"/dev/zero", O_RDONLY, EPERM},
	};

	assert_non_null(top);
	assert_int_equal(mkdir(top, 0755), 0);
	check_device_rules(deny_dir, deny_rules, ARRAY_SIZE(deny_rules),
			   deny_probes, ARRAY_SIZE(deny_probes));
	check_device_rules(allow_dir, allow_rules, ARRAY_SIZE(allow_rules),
			   allow_probes, ARRAY_SIZE(allow_probes));
}

enum need {
	NEED_NOTHING,
	NEED_ROOT,
	NEED_V1,	/* v1 or hybrid */
	NEED_V2_LIMITS, /* v2 offering memory, cpu, cpuset and pids */
	NEED_V2_NO_MEMORY,
	NEED_CPUSET,
	NEED_MEMORY,
	NEED_CGROUP2, /* v2 or hybrid */
};

struct test_case {
	struct CMUnitTest test;
	enum need need;
};

#define CASE(fn, n)                     \
	{                               \
		cmocka_unit_test(fn), n \
	}
#define ROOT_CASE(fn, n)                                                \
	{                                                               \
		cmocka_unit_test_setup_teardown(fn, setup, teardown), n \
	}

static bool need_met(enum need need, enum cgroup_mode mode)
{
	bool v2 = mode == CGROUP_MODE_V2;

	if (need == NEED_NOTHING)
		return true;
	if (getuid() != 0)
		return false;

	switch (need) {
	case NEED_V1:
		return !v2;
	case NEED_V2_LIMITS:
		return v2 && v2_offers("memory") && v2_offers("cpu") &&
		       v2_offers("cpuset") && v2_offers("pids");
	case NEED_V2_NO_MEMORY:
		return v2 && !v2_offers("memory");
	case NEED_CPUSET:
		return has_controller(mode, "cpuset");
	case NEED_MEMORY:
		return has_controller(mode, "memory");
	case NEED_CGROUP2:
		return mode != CGROUP_MODE_V1;
	default:
		return true;
	}
}

/*
 * Tests the host cannot run are left out of the run and listed on
 * stderr: cmocka reports a skip() as "not ok # SKIP", which meson's TAP
 * parser counts as a failure.
 */
int main(void)
{
	static const struct test_case cases[] = {
		CASE(path_normalize_rules, NEED_NOTHING),
		CASE(path_systemd_form_rejected, NEED_NOTHING),
		CASE(v2_cpu_weight_conversion, NEED_NOTHING),
		CASE(v2_swap_conversion, NEED_NOTHING),
		CASE(detect_mode_matches_mounts, NEED_NOTHING),
		ROOT_CASE(create_dotdot_rejected, NEED_ROOT),
		ROOT_CASE(create_v1_resources, NEED_V1),
		ROOT_CASE(create_v2_resources, NEED_V2_LIMITS),
		ROOT_CASE(v2_missing_controller_fails, NEED_V2_NO_MEMORY),
		ROOT_CASE(unified_map, NEED_ROOT),
		ROOT_CASE(process_lifecycle, NEED_ROOT),
		ROOT_CASE(absolute_path_from_roots, NEED_ROOT),
		ROOT_CASE(invalid_cpuset_leaves_nothing, NEED_CPUSET),
		ROOT_CASE(memory_limit_enforced, NEED_MEMORY),
		ROOT_CASE(v2_device_rules_enforced, NEED_CGROUP2),
	};
	struct CMUnitTest tests[ARRAY_SIZE(cases)];
	struct berth_error *err = NULL;
	enum cgroup_mode mode;
	size_t n = 0;

	if (cgroup_detect_mode(&mode, &err) < 0) {
		fprintf(stderr, "cgroup_detect_mode: %s\n", err->msg);
		berth_error_free(&err);
		return 1;
	}

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		if (need_met(cases[i].need, mode))
			tests[n++] = cases[i].test;
		else
			fprintf(stderr, "# not run on this host: %s\n",
				cases[i].test.name);
	}
	return _cmocka_run_group_tests("cgroup", tests, n, NULL, NULL);
}

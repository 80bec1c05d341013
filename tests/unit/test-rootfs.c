/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rootfs_setup() for real, as root. Each test builds a busybox root in a
 * temporary directory, forks a child that unshares the mount and PID
 * namespaces, and lets pid 1 of the new namespace call rootfs_setup()
 * and check the result from inside. A failed check travels back over a
 * pipe. The temporary directory is a shared mount, and the parent checks
 * afterwards that no mount propagated back below it. Without root, or
 * without /bin/busybox (Debian's busybox-static), every test is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/magic.h>

#include "runtime/rootfs.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define BUSYBOX "/bin/busybox"

struct fixture {
	char *dir;     /* the temporary directory */
	char *root;    /* dir/root, the busybox root */
	char *src;     /* dir/src, a host directory to bind */
	char *outside; /* dir/outside, where a symlink in the root points */
};

/* The write end of the pipe the container's checks report on. */
static int report_fd = -1;

static void child_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

static void child_fail(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		(void)!write(report_fd, buf, strlen(buf));
	_exit(1);
}

#define CHECK(cond, ...)                         \
	do {                                     \
		if (!(cond))                     \
			child_fail(__VA_ARGS__); \
	} while (0)

static void write_text(const char *path, const char *text)
{
	struct berth_error *err = NULL;

	assert_int_equal(fs_write_atomic(path, text, strlen(text), 0644, &err),
			 0);
}

static void copy_file(const char *from, const char *to, mode_t mode)
{
	struct berth_error *err = NULL;
	_cleanup_free_ char *data = NULL;
	size_t len;

	assert_int_equal(fs_read_file(from, &data, &len, &err), 0);
	assert_int_equal(fs_write_atomic(to, data, len, mode, &err), 0);
}

static char *path_in(const char *dir, const char *name)
{
	return fs_path_join(dir, name);
}

/* Make dir/root: bin/busybox with its applet links, etc/secret. */
static void make_busybox_root(const struct fixture *f)
{
	static const char *const applets[] = {"sh",    "cat",  "ls",
					      "touch", "test", "mkdir"};
	_cleanup_free_ char *bin = path_in(f->root, "bin");
	_cleanup_free_ char *etc = path_in(f->root, "etc");
	_cleanup_free_ char *busybox = path_in(bin, "busybox");
	_cleanup_free_ char *secret = path_in(etc, "secret");
	_cleanup_free_ char *escape = path_in(f->root, "escape");
	_cleanup_free_ char *climb = path_in(f->root, "climb");
	_cleanup_free_ char *climb_target = NULL;
	_cleanup_free_ char *resolv = path_in(etc, "resolv.conf");
	_cleanup_free_ char *var = path_in(f->root, "var");
	_cleanup_free_ char *var_run = path_in(var, "run");

	assert_int_equal(mkdir(f->root, 0755), 0);
	assert_int_equal(mkdir(bin, 0755), 0);
	assert_int_equal(mkdir(etc, 0755), 0);
	copy_file(BUSYBOX, busybox, 0755);
	for (size_t i = 0; i < ARRAY_SIZE(applets); i++) {
		_cleanup_free_ char *link = path_in(bin, applets[i]);

		assert_int_equal(symlink("busybox", link), 0);
	}
	write_text(secret, "secret\n");

	/* An absolute symlink to a host directory, as a hostile image has. */
	assert_int_equal(symlink(f->outside, escape), 0);
	xasprintf(&climb_target, "../../../../../../..%s", f->outside);
	assert_int_equal(symlink(climb_target, climb), 0);

	/* Dangling links, as many images have them. */
	assert_int_equal(symlink("../run/resolvconf/resolv.conf", resolv), 0);
	assert_int_equal(mkdir(var, 0755), 0);
	assert_int_equal(symlink("/run", var_run), 0);
}

static int setup(void **state)
{
	struct fixture *f;
	_cleanup_free_ char *file = NULL;
	_cleanup_free_ char *sub = NULL;
	char tmpl[] = "/tmp/berth-rootfs-XXXXXX";

	if (geteuid() != 0 || !fs_exists(BUSYBOX))
		return 0;

	f = xzalloc(sizeof(*f));
	assert_non_null(mkdtemp(tmpl));
	f->dir = xstrdup(tmpl);
	f->root = path_in(f->dir, "root");
	f->src = path_in(f->dir, "src");
	f->outside = path_in(f->dir, "outside");

	/*
	 * A shared mount, as "/" is on most systemd hosts: any mount that
	 * propagates back from the container shows up below f->dir.
	 */
	assert_int_equal(mount(f->dir, f->dir, NULL, MS_BIND, NULL), 0);
	assert_int_equal(mount(NULL, f->dir, NULL, MS_SHARED, NULL), 0);

	/*
	 * The bind source is a nodev, noexec mount: a user namespace locks
	 * those flags, so the container's remount must keep them.
	 */
	assert_int_equal(mkdir(f->src, 0755), 0);
	assert_int_equal(mount(f->src, f->src, NULL, MS_BIND, NULL), 0);
	assert_int_equal(mount(NULL, f->src, NULL,
			       MS_BIND | MS_REMOUNT | MS_NODEV | MS_NOEXEC,
			       NULL),
			 0);
	assert_int_equal(mkdir(f->outside, 0755), 0);
	sub = path_in(f->src, "sub");
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(mount("tmpfs", sub, "tmpfs", 0, "size=64k"), 0);
	file = path_in(f->src, "file");
	write_text(file, "hello\n");
	make_busybox_root(f);

	*state = f;
	return 0;
}

/* Mount points below dir in the caller's mount table, one per line. */
static char *mounts_below(const char *dir)
{
	_cleanup_fclose_ FILE *mi = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	char *found = xstrdup("");
	size_t cap = 0;

	assert_non_null(mi);
	while (getline(&line, &cap, mi) > 0) {
		char *joined = NULL;

		if (strstr(line, dir) == NULL)
			continue;
		xasprintf(&joined, "%s%s", found, line);
		free(found);
		found = joined;
	}
	return found;
}

/*
 * Detach whatever leaked below dir before removing it, so the removal
 * cannot reach through a leaked bind mount into a host directory.
 */
static void detach_leaks(const char *dir)
{
	for (int round = 0; round < 100; round++) {
		_cleanup_free_ char *leaks = mounts_below(dir);
		char point[4096];

		if (leaks[0] == '\0')
			return;
		if (sscanf(leaks, "%*s %*s %*s %*s %4095s", point) == 1)
			(void)umount2(point, MNT_DETACH);
	}
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	struct berth_error *err = NULL;

	if (f == NULL)
		return 0;

	detach_leaks(f->dir);
	if (fs_rm_rf(f->dir, &err) < 0)
		berth_error_free(&err);
	free(f->dir);
	free(f->root);
	free(f->src);
	free(f->outside);
	free(f);
	return 0;
}

typedef void (*check_fn)(const struct fixture *f);

struct run {
	const struct spec *spec;
	int unshare_flags; /* beyond CLONE_NEWNS | CLONE_NEWPID */
	bool no_pivot;
	bool user_ns; /* add a user namespace with the identity map */
	const char *console_path;
	check_fn check;
};

/* The device of the console_path given to rootfs_setup(), or 0. */
static dev_t console_rdev;

/* Set in the child: the checks run in a user namespace. */
static bool in_user_ns;

static void write_id_map(pid_t pid, const char *file)
{
	static const char map[] = "0 0 4294967295";
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, map, strlen(map)) < 0)
		child_fail("write '%s': %s", path, strerror(errno));
	close(fd);
}

/*
 * Unshare a user namespace and map every id to itself. A helper that
 * stays in the parent namespace writes the maps, because only a process
 * with CAP_SETUID there may map more than its own id.
 */
static void unshare_user_ns(int flags)
{
	pid_t self = getpid(), helper;
	int ready[2], status;
	char byte;

	if (pipe2(ready, O_CLOEXEC) < 0)
		child_fail("pipe: %s", strerror(errno));

	helper = fork();
	if (helper < 0)
		child_fail("fork: %s", strerror(errno));
	if (helper == 0) {
		close(ready[1]);
		if (read(ready[0], &byte, 1) != 1)
			_exit(1);
		write_id_map(self, "uid_map");
		write_id_map(self, "gid_map");
		_exit(0);
	}

	close(ready[0]);
	if (unshare(CLONE_NEWUSER | flags) < 0)
		child_fail("unshare: %s", strerror(errno));
	if (write(ready[1], "x", 1) != 1)
		child_fail("start the id map helper: %s", strerror(errno));
	close(ready[1]);

	if (waitpid(helper, &status, 0) != helper || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		_exit(1);
	in_user_ns = true;
}

/* Pid 1 of the new PID namespace: set up the root, then check it. */
static void container_main(const struct fixture *f, const struct run *r)
{
	struct berth_error *err = NULL;

	if (rootfs_setup(r->spec, f->root, r->console_path, r->no_pivot, &err) <
	    0) {
		_cleanup_free_ char *text = berth_error_text(err);

		child_fail("rootfs_setup: %s", text);
	}
	r->check(f);
	_exit(0);
}

static void namespace_main(const struct fixture *f, const struct run *r)
{
	int status;
	pid_t pid;

	if (r->user_ns)
		unshare_user_ns(CLONE_NEWNS | CLONE_NEWPID | r->unshare_flags);
	else if (unshare(CLONE_NEWNS | CLONE_NEWPID | r->unshare_flags) < 0)
		child_fail("unshare: %s", strerror(errno));

	pid = fork();
	if (pid < 0)
		child_fail("fork: %s", strerror(errno));
	if (pid == 0)
		container_main(f, r);

	if (waitpid(pid, &status, 0) != pid)
		child_fail("waitpid: %s", strerror(errno));
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 3);
}

/*
 * Run r in new namespaces and return the message of its first failed
 * check, or NULL when all passed.
 */
static char *run_container(const struct fixture *f, const struct run *r)
{
	struct berth_error *err = NULL;
	_cleanup_free_ char *msg = NULL;
	_cleanup_free_ char *before = mounts_below(f->dir);
	_cleanup_free_ char *after = NULL;
	int pipefd[2], status;
	size_t len;
	pid_t pid;

	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(pipefd[0]);
		report_fd = pipefd[1];
		namespace_main(f, r);
	}
	close(pipefd[1]);
	assert_int_equal(fs_read_all(pipefd[0], &msg, &len, &err), 0);
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);

	after = mounts_below(f->dir);
	if (strcmp(before, after) != 0)
		fail_msg("mounts leaked into the host:\n%s", after);

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return NULL;
	if (msg[0] == '\0') {
		free(msg);
		xasprintf(&msg, "the container exited with status 0x%x",
			  status);
	}
	return TAKE_PTR(msg);
}

static void skip_unless_ready(void **state)
{
	if (*state == NULL)
		skip();
}

/* The mounts of "berth-runtime spec", binds and mounts through symlinks. */
static char *proc_opts[] = {"nosuid", "noexec", "nodev", NULL};
static char *dev_opts[] = {"nosuid", "strictatime", "mode=755", "size=65536k",
			   NULL};
static char *pts_opts[] = {
	"nosuid",    "noexec", "newinstance", "ptmxmode=0666",
	"mode=0620", "gid=5",  NULL};
static char *shm_opts[] = {"nosuid",	"noexec",      "nodev",
			   "mode=1777", "size=65536k", NULL};
static char *mqueue_opts[] = {"nosuid", "noexec", "nodev", NULL};
static char *sys_opts[] = {"nosuid", "noexec", "nodev", "ro", NULL};
static char *cgroup_opts[] = {"nosuid",	  "noexec", "nodev",
			      "relatime", "ro",	    NULL};
static char *bind_ro_opts[] = {"rbind", "ro", "nosuid", NULL};
static char *file_opts[] = {"bind", "ro", NULL};
static char *tmpfs_opts[] = {"mode=700", NULL};
static char *rro_opts[] = {"rbind", "rro", NULL};

static char *masked[] = {"/proc/kcore", "/proc/does-not-exist", "/etc/secret",
			 "/proc/keys",	"/proc/acpi",		NULL};
static char *readonly[] = {"/proc/sys", "/proc/bus", "/proc/timer_list",
			   "/missing", NULL};

/* Return the mounts of the standard tests. Bind sources are below f->src. */
static struct spec_mount *standard_mounts(const struct fixture *f,
					  size_t *ret_n)
{
	struct spec_mount m[] = {
		{"/proc", "proc", "proc", proc_opts},
		{"/dev", "tmpfs", "tmpfs", dev_opts},
		{"/dev/pts", "devpts", "devpts", pts_opts},
		{"/dev/shm", "shm", "tmpfs", shm_opts},
		{"/dev/mqueue", "mqueue", "mqueue", mqueue_opts},
		{"/sys", "sysfs", "sysfs", sys_opts},
		{"/sys/fs/cgroup", "cgroup", "cgroup", cgroup_opts},
		{"/mnt/data", f->src, "bind", bind_ro_opts},
		{"/etc/hostfile", NULL, NULL, file_opts},
		{"/escape/inner", "tmpfs", "tmpfs", tmpfs_opts},
		{"/climb/inner", "tmpfs", "tmpfs", tmpfs_opts},
		{"/etc/resolv.conf", NULL, "bind", file_opts},
		{"/var/run/lock", "tmpfs", "tmpfs", tmpfs_opts},
		{"/mnt/recursive", NULL, "bind", rro_opts},
	};
	struct spec_mount *copy = xcalloc(ARRAY_SIZE(m), sizeof(*copy));

	memcpy(copy, m, sizeof(m));
	copy[8].source = path_in(f->src, "file");
	copy[11].source = copy[8].source;
	copy[13].source = f->src;
	*ret_n = ARRAY_SIZE(m);
	return copy;
}

static struct spec_device extra_devices[] = {
	{.path = "/dev/extra/null",
	 .type = 'c',
	 .major = 1,
	 .minor = 3,
	 .file_mode = 0620,
	 .has_file_mode = true,
	 .uid = 1000,
	 .gid = 1001},
	{.path = "/dev/fifo",
	 .type = 'p',
	 .file_mode = 0600,
	 .has_file_mode = true},
};

static void init_spec(struct spec *spec, const struct fixture *f)
{
	*spec = (struct spec){0};
	spec->mounts = standard_mounts(f, &spec->n_mounts);
	spec->linux.devices = extra_devices;
	spec->linux.n_devices = ARRAY_SIZE(extra_devices);
	spec->linux.masked_paths = masked;
	spec->linux.readonly_paths = readonly;
	spec->root_readonly = true;
}

static void free_spec(struct spec *spec)
{
	free(spec->mounts[8].source);
	free(spec->mounts);
}

static bool is_char_device(const char *path, unsigned int major,
			   unsigned int minor)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISCHR(st.st_mode) &&
	       major(st.st_rdev) == major && minor(st.st_rdev) == minor;
}

static bool is_readonly(const char *path)
{
	struct statvfs sv;

	return statvfs(path, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

static bool has_magic(const char *path, long magic)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && sf.f_type == magic;
}

static void read_first_line(const char *path, char *buf, size_t size)
{
	FILE *file = fopen(path, "re");

	buf[0] = '\0';
	if (file == NULL)
		return;
	if (fgets(buf, (int)size, file) == NULL)
		buf[0] = '\0';
	fclose(file);
}

static void check_proc_and_devices(void)
{
	char buf[64] = "";
	struct stat st;
	ssize_t n;

	n = readlink("/proc/self", buf, sizeof(buf) - 1);
	CHECK(n > 0, "readlink /proc/self: %s", strerror(errno));
	buf[n] = '\0';
	CHECK(strcmp(buf, "1") == 0, "/proc/self is '%s', expected '1'", buf);
	CHECK(has_magic("/proc", PROC_SUPER_MAGIC), "/proc is not procfs");

	CHECK(is_char_device("/dev/null", 1, 3), "/dev/null is not 1:3");
	CHECK(is_char_device("/dev/urandom", 1, 9), "/dev/urandom missing");
	CHECK(is_char_device("/dev/tty", 5, 0), "/dev/tty missing");
	CHECK(has_magic("/dev", TMPFS_MAGIC), "/dev is not a tmpfs");
	CHECK(has_magic("/dev/pts", DEVPTS_SUPER_MAGIC), "/dev/pts missing");

	/* The user namespace test leaves it out: the host has no such node. */
	if (!in_user_ns) {
		CHECK(is_char_device("/dev/extra/null", 1, 3),
		      "/dev/extra/null is not 1:3");
		CHECK(stat("/dev/extra/null", &st) == 0,
		      "/dev/extra/null missing");
		CHECK((st.st_mode & 07777) == 0620, "/dev/extra/null mode %o",
		      (unsigned int)(st.st_mode & 07777));
		CHECK(st.st_uid == 1000 && st.st_gid == 1001,
		      "/dev/extra/null owner %u:%u", (unsigned int)st.st_uid,
		      (unsigned int)st.st_gid);
	}
	CHECK(stat("/dev/fifo", &st) == 0 && S_ISFIFO(st.st_mode),
	      "/dev/fifo is not a fifo");

	n = readlink("/dev/ptmx", buf, sizeof(buf) - 1);
	CHECK(n == 8 && memcmp(buf, "pts/ptmx", 8) == 0,
	      "/dev/ptmx is not a symlink to pts/ptmx");
	n = readlink("/dev/fd", buf, sizeof(buf) - 1);
	CHECK(n == 13 && memcmp(buf, "/proc/self/fd", 13) == 0,
	      "/dev/fd is not a symlink to /proc/self/fd");
	CHECK(access("/dev/stdin", F_OK) == 0, "/dev/stdin missing");
	CHECK(console_rdev == 0 || (stat("/dev/console", &st) == 0 &&
				    st.st_rdev == console_rdev),
	      "/dev/console is not the console_path device");
}

static void check_masked_and_readonly(void)
{
	char buf[64];
	int fd;

	CHECK(is_char_device("/proc/keys", 1, 3), "/proc/keys not masked");
	CHECK(has_magic("/proc/acpi", TMPFS_MAGIC), "/proc/acpi not masked");
	CHECK(is_readonly("/proc/acpi"), "/proc/acpi mask is writable");
	read_first_line("/etc/secret", buf, sizeof(buf));
	CHECK(buf[0] == '\0', "/etc/secret not masked: '%s'", buf);

	fd = open("/proc/sys/kernel/hostname", O_WRONLY | O_CLOEXEC);
	CHECK(fd < 0 && errno == EROFS,
	      "/proc/sys is writable (fd %d, errno %d)", fd, errno);
	CHECK(is_readonly("/proc/bus"), "/proc/bus is writable");
	CHECK(is_readonly("/proc/timer_list"), "/proc/timer_list is writable");
	CHECK(!is_readonly("/proc"), "/proc turned read-only");

	CHECK(mkdir("/newdir", 0755) < 0 && errno == EROFS,
	      "the root is not read-only (errno %d)", errno);
	CHECK(!is_readonly("/dev"), "/dev turned read-only with the root");
}

static void check_binds(const struct fixture *f)
{
	struct statvfs sv;
	char buf[64];
	int fd;

	read_first_line("/mnt/data/file", buf, sizeof(buf));
	CHECK(strcmp(buf, "hello\n") == 0, "/mnt/data/file has '%s'", buf);
	fd = open("/mnt/data/new", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	CHECK(fd < 0 && errno == EROFS, "/mnt/data is writable");
	/* "ro" makes only the top mount read-only, "rro" every one. */
	CHECK(!is_readonly("/mnt/data/sub"), "/mnt/data/sub is read-only");
	CHECK(is_readonly("/mnt/recursive"), "/mnt/recursive is writable");
	CHECK(is_readonly("/mnt/recursive/sub"),
	      "/mnt/recursive/sub is writable");
	CHECK(statvfs("/mnt/data", &sv) == 0, "statvfs /mnt/data: %s",
	      strerror(errno));
	CHECK(sv.f_flag & ST_NOSUID, "/mnt/data is not nosuid");
	CHECK(sv.f_flag & ST_NODEV, "/mnt/data lost the locked nodev");
	CHECK(sv.f_flag & ST_NOEXEC, "/mnt/data lost the locked noexec");

	read_first_line("/etc/hostfile", buf, sizeof(buf));
	CHECK(strcmp(buf, "hello\n") == 0, "/etc/hostfile has '%s'", buf);
	CHECK(is_readonly("/etc/hostfile"), "/etc/hostfile is writable");

	CHECK(is_readonly("/sys"), "/sys is writable");
	CHECK(is_readonly("/sys/fs/cgroup"), "/sys/fs/cgroup is writable");

	/* The tmpfs went through the symlink, but stayed in the root. */
	CHECK(has_magic("/escape/inner", TMPFS_MAGIC),
	      "the tmpfs at /escape/inner is missing");
	CHECK(has_magic("/climb/inner", TMPFS_MAGIC),
	      "the tmpfs at /climb/inner is missing");

	/* Dangling symlinks lead to their targets, created in the root. */
	read_first_line("/run/resolvconf/resolv.conf", buf, sizeof(buf));
	CHECK(strcmp(buf, "hello\n") == 0,
	      "/etc/resolv.conf was not bound at its link target: '%s'", buf);
	CHECK(has_magic("/run/lock", TMPFS_MAGIC),
	      "/var/run/lock is not a tmpfs at /run/lock");

	/* The old root is gone: the host's copy of the root is not here. */
	CHECK(access(f->root, F_OK) < 0, "the old root is still reachable");
}

static void check_cgroup(void)
{
	char buf[256];

	/* On v1 and hybrid hosts a tmpfs has one directory per hierarchy. */
	if (has_magic("/sys/fs/cgroup", TMPFS_MAGIC)) {
		CHECK(access("/sys/fs/cgroup/pids/cgroup.procs", F_OK) == 0,
		      "/sys/fs/cgroup/pids has no cgroup.procs");
		CHECK(is_readonly("/sys/fs/cgroup/pids"),
		      "/sys/fs/cgroup/pids is writable");
		return;
	}
	read_first_line("/sys/fs/cgroup/cgroup.controllers", buf, sizeof(buf));
	CHECK(buf[0] != '\0', "/sys/fs/cgroup is not a cgroup2 mount");
}

static void check_standard(const struct fixture *f)
{
	check_proc_and_devices();
	check_masked_and_readonly();
	check_binds(f);
	check_cgroup();

	/* Last, busybox from the image agrees. */
	execl("/bin/sh", "sh", "-c",
	      "test -c /dev/null && test -r /proc/self/status && "
	      "! touch /x 2>/dev/null",
	      (char *)NULL);
	child_fail("exec /bin/sh: %s", strerror(errno));
}

static void test_rootfs_standard(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *msg = NULL;
	_cleanup_free_ char *escaped = NULL;
	_cleanup_close_ int master = -1;
	const char *console;
	struct spec spec;
	struct stat st;

	skip_unless_ready(state);
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	console = ptsname(master);
	assert_non_null(console);
	assert_int_equal(stat(console, &st), 0);
	console_rdev = st.st_rdev;

	init_spec(&spec, f);
	msg = run_container(f, &(struct run){.spec = &spec,
					     .console_path = console,
					     .check = check_standard});
	console_rdev = 0;
	free_spec(&spec);
	if (msg != NULL)
		fail_msg("%s", msg);

	/* The destination below the symlink was created inside the root. */
	escaped = path_in(f->outside, "inner");
	assert_false(fs_exists(escaped));
}

static void test_rootfs_no_pivot(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *msg = NULL;
	struct spec spec;

	skip_unless_ready(state);
	init_spec(&spec, f);
	msg = run_container(f, &(struct run){.spec = &spec,
					     .no_pivot = true,
					     .check = check_standard});
	free_spec(&spec);
	if (msg != NULL)
		fail_msg("%s", msg);
}

static void check_cgroup_only(const struct fixture *f)
{
	check_cgroup();
}

/* With a cgroup namespace the hierarchies are mounted, not bound. */
static void test_rootfs_cgroup_namespace(void **state)
{
	struct fixture *f = *state;
	struct spec_namespace ns[] = {{.type = CLONE_NEWCGROUP}};
	struct spec_mount m[] = {
		{"/proc", "proc", "proc", proc_opts},
		{"/sys/fs/cgroup", "cgroup", "cgroup", cgroup_opts},
	};
	struct spec spec = {.mounts = m, .n_mounts = ARRAY_SIZE(m)};
	_cleanup_free_ char *msg = NULL;

	skip_unless_ready(state);
	spec.linux.namespaces = ns;
	spec.linux.n_namespaces = ARRAY_SIZE(ns);
	msg = run_container(f, &(struct run){.spec = &spec,
					     .unshare_flags = CLONE_NEWCGROUP,
					     .check = check_cgroup_only});
	if (msg != NULL)
		fail_msg("%s", msg);
}

/*
 * In a user namespace mknod fails, so devices are bound from the host,
 * sysfs without a network namespace falls back to binding /sys, and
 * every bind remount has to keep the flags the kernel locked.
 */
static void test_rootfs_user_namespace(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *msg = NULL;
	struct spec spec;

	skip_unless_ready(state);
	init_spec(&spec, f);
	spec.linux.devices = &extra_devices[1];
	spec.linux.n_devices = 1;
	msg = run_container(f, &(struct run){.spec = &spec,
					     .user_ns = true,
					     .unshare_flags = CLONE_NEWIPC,
					     .check = check_standard});
	free_spec(&spec);
	if (msg != NULL)
		fail_msg("%s", msg);
}

static void check_sysctls(const struct fixture *f)
{
	char name[64] = "";
	char value[16];

	CHECK(gethostname(name, sizeof(name)) == 0, "gethostname: %s",
	      strerror(errno));
	CHECK(strcmp(name, "berth-sysctl") == 0, "hostname is '%s'", name);

	read_first_line("/proc/sys/net/ipv4/ip_default_ttl", value,
			sizeof(value));
	CHECK(strcmp(value, "42\n") == 0, "ip_default_ttl is '%s'", value);
}

/* Sysctls of the container's own UTS and network namespaces. */
static void test_rootfs_sysctl_namespaced(void **state)
{
	struct fixture *f = *state;
	struct spec_namespace ns[] = {{.type = CLONE_NEWUTS},
				      {.type = CLONE_NEWNET}};
	struct spec_sysctl sysctl[] = {
		{"kernel.hostname", "berth-sysctl"},
		{"net.ipv4.ip_default_ttl", "42"},
	};
	struct spec_mount m[] = {{"/proc", "proc", "proc", proc_opts}};
	struct spec spec = {.mounts = m, .n_mounts = ARRAY_SIZE(m)};
	_cleanup_free_ char *msg = NULL;
	char host_ttl[16];

	skip_unless_ready(state);
	spec.linux.namespaces = ns;
	spec.linux.n_namespaces = ARRAY_SIZE(ns);
	spec.linux.sysctls = sysctl;
	spec.linux.n_sysctls = ARRAY_SIZE(sysctl);
	msg = run_container(
		f, &(struct run){.spec = &spec,
				 .unshare_flags = CLONE_NEWUTS | CLONE_NEWNET,
				 .check = check_sysctls});
	if (msg != NULL)
		fail_msg("%s", msg);

	read_first_line("/proc/sys/net/ipv4/ip_default_ttl", host_ttl,
			sizeof(host_ttl));
	assert_string_not_equal(host_ttl, "42\n");
}

static void check_nothing(const struct fixture *f)
{
}

static void expect_error(const struct fixture *f, const struct spec *spec,
			 const char *expected)
{
	_cleanup_free_ char *msg = NULL;

	msg = run_container(
		f, &(struct run){.spec = spec, .check = check_nothing});
	assert_non_null(msg);
	if (strstr(msg, expected) == NULL)
		fail_msg("'%s' does not contain '%s'", msg, expected);
}

static void test_rootfs_sysctl_rejected(void **state)
{
	struct fixture *f = *state;
	struct spec_sysctl host_wide[] = {{"kernel.panic", "0"}};
	struct spec_sysctl without_ns[] = {{"net.ipv4.ip_forward", "1"}};
	struct spec_sysctl dotdot[] = {{"net..kernel", "1"}};
	struct spec spec = {0};

	skip_unless_ready(state);
	spec.linux.n_sysctls = 1;

	spec.linux.sysctls = host_wide;
	expect_error(f, &spec, "linux.sysctl: set 'kernel.panic'");
	spec.linux.sysctls = without_ns;
	expect_error(f, &spec, "needs a network namespace");
	spec.linux.sysctls = dotdot;
	expect_error(f, &spec, "invalid sysctl name");
}

static void test_rootfs_mount_error_names_entry(void **state)
{
	struct fixture *f = *state;
	struct spec_mount m[] = {
		{"/proc", "proc", "proc", proc_opts},
		{"/mnt/x", "/does/not/exist", "bind", file_opts},
	};
	struct spec spec = {.mounts = m, .n_mounts = ARRAY_SIZE(m)};

	skip_unless_ready(state);
	expect_error(f, &spec,
		     "mounts[1]: mount '/does/not/exist' of type 'bind' on "
		     "'/mnt/x'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rootfs_standard, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rootfs_no_pivot, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rootfs_user_namespace,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rootfs_cgroup_namespace,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rootfs_sysctl_namespaced,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rootfs_sysctl_rejected,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_rootfs_mount_error_names_entry, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

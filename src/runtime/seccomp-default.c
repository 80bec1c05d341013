/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>

#include "runtime/seccomp.h"
#include "util/cleanup.h"

/*
 * The default profile: every syscall not listed fails with EPERM. The
 * list holds what shells, package managers (apt, dpkg), coreutils,
 * busybox, language runtimes and servers call. Left out are syscalls
 * that reach outside the container or need a capability the default set
 * lacks: mount, umount2, pivot_root, unshare, setns, bpf, keyctl and
 * the other key syscalls, kernel module and kexec calls, reboot, swapon,
 * quotactl, perf_event_open, userfaultfd, io_uring_* (a large kernel
 * attack surface), open_by_handle_at, iopl and ioperm. Names this
 * libseccomp does not know, such as futex_wake on libseccomp 2.5, are
 * skipped when the filter is built.
 */
static const char *const allowed_syscalls[] = {
	"accept",
	"accept4",
	"access",
	"adjtimex",
	"alarm",
	"arch_prctl",
	"bind",
	"brk",
	"cachestat",
	"capget",
	"capset",
	"chdir",
	"chmod",
	"chown",
	"chown32",
	"chroot",
	"clock_adjtime",
	"clock_adjtime64",
	"clock_getres",
	"clock_getres_time64",
	"clock_gettime",
	"clock_gettime64",
	"clock_nanosleep",
	"clock_nanosleep_time64",
	"close",
	"close_range",
	"connect",
	"copy_file_range",
	"creat",
	"dup",
	"dup2",
	"dup3",
	"epoll_create",
	"epoll_create1",
	"epoll_ctl",
	"epoll_ctl_old",
	"epoll_pwait",
	"epoll_pwait2",
	"epoll_wait",
	"epoll_wait_old",
	"eventfd",
	"eventfd2",
	"execve",
	"execveat",
	"exit",
	"exit_group",
	"faccessat",
	"faccessat2",
	"fadvise64",
	"fadvise64_64",
	"fallocate",
	"fanotify_mark",
	"fchdir",
	"fchmod",
	"fchmodat",
	"fchmodat2",
	"fchown",
	"fchown32",
	"fchownat",
	"fcntl",
	"fcntl64",
	"fdatasync",
	"fgetxattr",
	"flistxattr",
	"flock",
	"fork",
	"fremovexattr",
	"fsetxattr",
	"fstat",
	"fstat64",
	"fstatat64",
	"fstatfs",
	"fstatfs64",
	"fsync",
	"ftruncate",
	"ftruncate64",
	"futex",
	"futex_requeue",
	"futex_time64",
	"futex_wait",
	"futex_waitv",
	"futex_wake",
	"futimesat",
	"get_mempolicy",
	"get_robust_list",
	"get_thread_area",
	"getcpu",
	"getcwd",
	"getdents",
	"getdents64",
	"getegid",
	"getegid32",
	"geteuid",
	"geteuid32",
	"getgid",
	"getgid32",
	"getgroups",
	"getgroups32",
	"getitimer",
	"getpeername",
	"getpgid",
	"getpgrp",
	"getpid",
	"getppid",
	"getpriority",
	"getrandom",
	"getresgid",
	"getresgid32",
	"getresuid",
	"getresuid32",
	"getrlimit",
	"getrusage",
	"getsid",
	"getsockname",
	"getsockopt",
	"gettid",
	"gettimeofday",
	"getuid",
	"getuid32",
	"getxattr",
	"inotify_add_watch",
	"inotify_init",
	"inotify_init1",
	"inotify_rm_watch",
	"io_cancel",
	"io_destroy",
	"io_getevents",
	"io_pgetevents",
	"io_pgetevents_time64",
	"io_setup",
	"io_submit",
	"ioctl",
	"ioprio_get",
	"ioprio_set",
	"ipc",
	"kill",
	"landlock_add_rule",
	"landlock_create_ruleset",
	"landlock_restrict_self",
	"lchown",
	"lchown32",
	"lgetxattr",
	"link",
	"linkat",
	"listen",
	"listxattr",
	"llistxattr",
	"_llseek",
	"lremovexattr",
	"lseek",
	"lsetxattr",
	"lstat",
	"lstat64",
	"madvise",
	"map_shadow_stack",
	"mbind",
	"membarrier",
	"memfd_create",
	"memfd_secret",
	"mincore",
	"mkdir",
	"mkdirat",
	"mknod",
	"mknodat",
	"mlock",
	"mlock2",
	"mlockall",
	"mmap",
	"mmap2",
	"modify_ldt",
	"mprotect",
	"mq_getsetattr",
	"mq_notify",
	"mq_open",
	"mq_timedreceive",
	"mq_timedreceive_time64",
	"mq_timedsend",
	"mq_timedsend_time64",
	"mq_unlink",
	"mremap",
	"msgctl",
	"msgget",
	"msgrcv",
	"msgsnd",
	"msync",
	"munlock",
	"munlockall",
	"munmap",
	"name_to_handle_at",
	"nanosleep",
	"newfstatat",
	"_newselect",
	"nice",
	"open",
	"openat",
	"openat2",
	"pause",
	"pidfd_open",
	"pidfd_send_signal",
	"pipe",
	"pipe2",
	"pkey_alloc",
	"pkey_free",
	"pkey_mprotect",
	"poll",
	"ppoll",
	"ppoll_time64",
	"prctl",
	"pread64",
	"preadv",
	"preadv2",
	"prlimit64",
	"process_mrelease",
	"process_vm_readv",
	"process_vm_writev",
	"pselect6",
	"pselect6_time64",
	"ptrace",
	"pwrite64",
	"pwritev",
	"pwritev2",
	"read",
	"readahead",
	"readlink",
	"readlinkat",
	"readv",
	"recv",
	"recvfrom",
	"recvmmsg",
	"recvmmsg_time64",
	"recvmsg",
	"remap_file_pages",
	"removexattr",
	"rename",
	"renameat",
	"renameat2",
	"restart_syscall",
	"rmdir",
	"rseq",
	"rt_sigaction",
	"rt_sigpending",
	"rt_sigprocmask",
	"rt_sigqueueinfo",
	"rt_sigreturn",
	"rt_sigsuspend",
	"rt_sigtimedwait",
	"rt_sigtimedwait_time64",
	"rt_tgsigqueueinfo",
	"sched_get_priority_max",
	"sched_get_priority_min",
	"sched_getaffinity",
	"sched_getattr",
	"sched_getparam",
	"sched_getscheduler",
	"sched_rr_get_interval",
	"sched_rr_get_interval_time64",
	"sched_setaffinity",
	"sched_setattr",
	"sched_setparam",
	"sched_setscheduler",
	"sched_yield",
	"seccomp",
	"select",
	"semctl",
	"semget",
	"semop",
	"semtimedop",
	"semtimedop_time64",
	"send",
	"sendfile",
	"sendfile64",
	"sendmmsg",
	"sendmsg",
	"sendto",
	"set_mempolicy",
	"set_mempolicy_home_node",
	"set_robust_list",
	"set_thread_area",
	"set_tid_address",
	"setfsgid",
	"setfsgid32",
	"setfsuid",
	"setfsuid32",
	"setgid",
	"setgid32",
	"setgroups",
	"setgroups32",
	"setitimer",
	"setpgid",
	"setpriority",
	"setregid",
	"setregid32",
	"setresgid",
	"setresgid32",
	"setresuid",
	"setresuid32",
	"setreuid",
	"setreuid32",
	"setrlimit",
	"setsid",
	"setsockopt",
	"setuid",
	"setuid32",
	"setxattr",
	"shmat",
	"shmctl",
	"shmdt",
	"shmget",
	"shutdown",
	"sigaltstack",
	"signalfd",
	"signalfd4",
	"sigprocmask",
	"sigreturn",
	"socket",
	"socketcall",
	"socketpair",
	"splice",
	"stat",
	"stat64",
	"statfs",
	"statfs64",
	"statx",
	"symlink",
	"symlinkat",
	"sync",
	"sync_file_range",
	"syncfs",
	"sysinfo",
	"tee",
	"tgkill",
	"time",
	"timer_create",
	"timer_delete",
	"timer_getoverrun",
	"timer_gettime",
	"timer_gettime64",
	"timer_settime",
	"timer_settime64",
	"timerfd_create",
	"timerfd_gettime",
	"timerfd_gettime64",
	"timerfd_settime",
	"timerfd_settime64",
	"times",
	"tkill",
	"truncate",
	"truncate64",
	"ugetrlimit",
	"umask",
	"uname",
	"unlink",
	"unlinkat",
	"uretprobe",
	"utime",
	"utimensat",
	"utimensat_time64",
	"utimes",
	"vfork",
	"vmsplice",
	"wait4",
	"waitid",
	"waitpid",
	"write",
	"writev",
};

/*
 * personality(2) values a container may set: PER_LINUX, PER_LINUX32,
 * UNAME26 with each, and 0xffffffff, which only queries.
 */
static const json_int_t allowed_personalities[] = {
	0x0, 0x8, 0x20000, 0x20008, 0xffffffff,
};

/* Every flag that makes clone(2) create a namespace. */
#define CLONE_NAMESPACE_FLAGS                                        \
	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
	 CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)

static json_t *names_array(const char *const *names, size_t n)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_string(names[i]));
	return arr;
}

/* The host's architecture with the ones its kernel also runs. */
static json_t *default_architectures(void)
{
	switch (seccomp_arch_native()) {
	case SCMP_ARCH_X86_64:
		return json_pack("[s, s, s]", "SCMP_ARCH_X86_64",
				 "SCMP_ARCH_X86", "SCMP_ARCH_X32");
	case SCMP_ARCH_AARCH64:
		return json_pack("[s, s]", "SCMP_ARCH_AARCH64",
				 "SCMP_ARCH_ARM");
	case SCMP_ARCH_PPC64LE:
		return json_pack("[s]", "SCMP_ARCH_PPC64LE");
	case SCMP_ARCH_S390X:
		return json_pack("[s, s]", "SCMP_ARCH_S390X", "SCMP_ARCH_S390");
	case SCMP_ARCH_RISCV64:
		return json_pack("[s]", "SCMP_ARCH_RISCV64");
	default:
		return json_array();
	}
}

/*
 * clone is allowed only without namespace flags, which need
 * CAP_SYS_ADMIN anyway. s390 passes the flags in the second argument.
 * clone3 passes them in memory that seccomp cannot read, so it fails
 * with ENOSYS and glibc falls back to clone.
 */
static void add_clone_rules(json_t *syscalls)
{
	int index = seccomp_arch_native() == SCMP_ARCH_S390X ? 1 : 0;

	json_array_append_new(
		syscalls,
		json_pack("{s:[s], s:s, s:[{s:i, s:I, s:i, s:s}]}", "names",
			  "clone", "action", "SCMP_ACT_ALLOW", "args", "index",
			  index, "value", (json_int_t)CLONE_NAMESPACE_FLAGS,
			  "valueTwo", 0, "op", "SCMP_CMP_MASKED_EQ"));
	json_array_append_new(syscalls,
			      json_pack("{s:[s], s:s, s:i}", "names", "clone3",
					"action", "SCMP_ACT_ERRNO", "errnoRet",
					ENOSYS));
}

static void add_personality_rules(json_t *syscalls)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(allowed_personalities); i++)
		json_array_append_new(
			syscalls,
			json_pack("{s:[s], s:s, s:[{s:i, s:I, s:s}]}", "names",
				  "personality", "action", "SCMP_ACT_ALLOW",
				  "args", "index", 0, "value",
				  allowed_personalities[i], "op",
				  "SCMP_CMP_EQ"));
}

json_t *seccomp_default_profile(void)
{
	json_t *syscalls = json_array();
	json_t *profile;

	json_array_append_new(
		syscalls, json_pack("{s:o, s:s}", "names",
				    names_array(allowed_syscalls,
						ARRAY_SIZE(allowed_syscalls)),
				    "action", "SCMP_ACT_ALLOW"));
	add_personality_rules(syscalls);
	add_clone_rules(syscalls);

	profile = json_pack("{s:s, s:i, s:o, s:o}", "defaultAction",
			    "SCMP_ACT_ERRNO", "defaultErrnoRet", EPERM,
			    "architectures", default_architectures(),
			    "syscalls", syscalls);
	if (profile == NULL)
		abort();
	return profile;
}

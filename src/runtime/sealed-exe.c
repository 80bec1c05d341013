/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runtime/runtime.h"
#include "util/cleanup.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)
#define SEAL_TRIES 100

extern char **environ;

/* True when fd is a memfd carrying every seal this file adds. */
static bool is_sealed(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);

	return seals >= 0 && (seals & SEALS) == SEALS;
}

static int copy_to_memfd(int exe, int *ret_fd, struct berth_error **err)
{
	_cleanup_close_ int mfd = -1;
	struct stat st;
	off_t done = 0;

	if (fstat(exe, &st) < 0)
		return berth_error_set(err, errno, "stat '/proc/self/exe'");

	mfd = memfd_create("berth", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return berth_error_set(err, errno, "create memfd");

	while (done < st.st_size) {
		ssize_t n =
			sendfile(mfd, exe, NULL, (size_t)(st.st_size - done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return berth_error_set(err, n < 0 ? errno : EIO,
					       "copy '/proc/self/exe' into a "
					       "memfd");
		done += n;
	}

	/*
	 * F_SEAL_WRITE fails with EBUSY while the kernel may still hold a
	 * transient reference to a page that the copy wrote; that
	 * clears within milliseconds.
	 */
	for (int tries = 0;; tries++) {
		if (fcntl(mfd, F_ADD_SEALS, SEALS) == 0)
			break;
		if (errno != EBUSY || tries == SEAL_TRIES)
			return berth_error_set(err, errno, "seal the memfd");
		(void)nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
	}

	*ret_fd = TAKE_FD(mfd);
	return 0;
}

/*
 * A container process exists as a clone of this process until it
 * calls execve, and /proc/PID/exe of it would reach the host binary
 * for writing (CVE-2019-5736). Running from a sealed memfd closes that
 * window: the copy cannot be written and is gone when the process is.
 */
int runtime_ensure_sealed_exe(char **argv, struct berth_error **err)
{
	_cleanup_close_ int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int mfd = -1;

	if (exe < 0)
		return berth_error_set(err, errno, "open '/proc/self/exe'");

	if (is_sealed(exe))
		return 0;

	if (copy_to_memfd(exe, &mfd, err) < 0)
		return -1;

	execveat(mfd, "", argv, environ, AT_EMPTY_PATH);
	return berth_error_set(err, errno, "re-execute from a sealed memfd");
}

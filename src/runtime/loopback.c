/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/runtime-internal.h"
#include "util/cleanup.h"

/*
 * A new network namespace starts with "lo" down. runc and crun bring it
 * up, and programs that talk to 127.0.0.1 inside the container rely on
 * that, so the init does the same before the container's process runs.
 */
int namespaces_loopback_up(const struct spec *spec, struct berth_error **err)
{
	struct ifreq ifr = {0};
	_cleanup_close_ int fd = -1;

	if (!(namespaces_clone_flags(spec) & CLONE_NEWNET))
		return 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return berth_error_set(err, errno,
				       "open a socket to bring up 'lo'");

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return berth_error_set(err, errno, "read the flags of 'lo'");
	if (ifr.ifr_flags & IFF_UP)
		return 0;

	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return berth_error_set(err, errno, "bring up 'lo'");
	return 0;
}

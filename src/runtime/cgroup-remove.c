/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Removal of a container's cgroups. A killed process leaves its cgroups
 * a moment after the signal, and rmdir(2) fails with EBUSY until then.
 * On cgroup2 the removal waits for "populated 0" in cgroup.events, whose
 * changes inotify reports. A v1 hierarchy has no such event, so rmdir is
 * retried there with sleeps that start at 1 ms and double. Both end at
 * one deadline for the whole removal.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "runtime/cgroup-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

/*
 * How long the processes of a cgroup may take to leave it after the
 * caller killed them, in ms. Only a process in uninterruptible sleep (a
 * hung FUSE or NFS mount) takes longer.
 */
#define DESTROY_TIMEOUT_MS 5000

/* Maximum sleep between two rmdir(2) calls on a v1 hierarchy, in ms. */
#define RETRY_SLEEP_MAX_MS 32

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read "populated N" of dir/cgroup.events; a missing cgroup is empty. */
static int read_populated(const char *dir, bool *ret, struct berth_error **err)
{
	_cleanup_free_ char *events = NULL;
	_cleanup_error_ struct berth_error *local = NULL;
	const char *p;

	if (cgroup_read(dir, "cgroup.events", &events, &local) < 0) {
		if (local->errnum == ENOENT) {
			*ret = false;
			return 0;
		}
		berth_error_move(err, &local);
		return -1;
	}

	p = strstr(events, "populated ");
	if (p == NULL)
		return berth_error_set(
			err, EINVAL, "no 'populated' key in '%s/cgroup.events'",
			dir);
	*ret = p[strlen("populated ")] != '0';
	return 0;
}

static void drain(int fd)
{
	char buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

/* Wait until the cgroup2 directory dir and its children have no process. */
static int wait_unpopulated(const char *dir, long deadline,
			    struct berth_error **err)
{
	_cleanup_free_ char *events = fs_path_join(dir, "cgroup.events");
	_cleanup_close_ int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	bool populated;

	if (fd < 0)
		return berth_error_set(err, errno, "inotify_init1");

	/* Watch before the first read so that no change goes unseen. */
	if (inotify_add_watch(fd, events, IN_MODIFY) < 0)
		return errno == ENOENT ? 0 :
					 berth_error_set(err, errno,
							 "watch '%s'", events);

	for (;;) {
		long left;

		if (read_populated(dir, &populated, err) < 0)
			return -1;
		if (!populated)
			return 0;

		left = deadline - now_ms();
		if (left <= 0)
			return berth_error_set(
				err, EBUSY,
				"cgroup '%s' still has processes %d ms after "
				"they were killed; its cgroup.procs lists "
				"them",
				dir, DESTROY_TIMEOUT_MS);

		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			return berth_error_set(err, errno, "poll '%s'", events);
		drain(fd);
	}
}

static int rmdir_until(const char *dir, long deadline, struct berth_error **err)
{
	unsigned int sleep_ms = 1;

	for (;;) {
		long left;

		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;

		left = deadline - now_ms();
		if (errno != EBUSY || left <= 0)
			return berth_error_set(
				err, errno, "remove the cgroup directory '%s'",
				dir);

		cgroup_sleep_ms(left < sleep_ms ? (unsigned int)left :
						  sleep_ms);
		if (sleep_ms < RETRY_SLEEP_MAX_MS)
			sleep_ms *= 2;
	}
}

/* Remove dir and the child cgroups inside it, innermost first. */
static int remove_tree(const char *dir, long deadline, struct berth_error **err)
{
	_cleanup_closedir_ DIR *d = opendir(dir);

	if (d == NULL && errno == ENOENT)
		return 0;
	if (d == NULL)
		return berth_error_set(err, errno, "open '%s'", dir);

	for (;;) {
		_cleanup_free_ char *child = cgroup_next_child(d, dir);

		if (child == NULL)
			break;

		if (remove_tree(child, deadline, err) < 0)
			return -1;
	}
	return rmdir_until(dir, deadline, err);
}

static void keep_first(struct berth_error **first, struct berth_error **e)
{
	if (*first == NULL)
		berth_error_move(first, e);
	else
		berth_error_free(e);
}

/* Every hierarchy is tried; the first error is returned. */
int cgroup_destroy(const char *path, struct berth_error **err)
{
	_cleanup_layout_ struct cgroup_layout l = {0};
	struct berth_error *first = NULL;
	long deadline = now_ms() + DESTROY_TIMEOUT_MS;

	if (cgroup_layout_load(&l, err) < 0)
		return -1;

	/*
	 * Every hierarchy contains the same processes, so once the cgroup2
	 * directory is empty the v1 ones are too.
	 */
	for (size_t i = 0; i < l.n; i++) {
		_cleanup_free_ char *dir = NULL;
		struct berth_error *e = NULL;

		if (l.hierarchies[i].controllers != NULL)
			continue;

		dir = cgroup_hierarchy_dir(&l.hierarchies[i], path);
		if (wait_unpopulated(dir, deadline, &e) < 0)
			keep_first(&first, &e);
	}

	for (size_t i = 0; i < l.n; i++) {
		_cleanup_free_ char *dir =
			cgroup_hierarchy_dir(&l.hierarchies[i], path);
		struct berth_error *e = NULL;

		if (remove_tree(dir, deadline, &e) < 0)
			keep_first(&first, &e);
	}

	if (first != NULL) {
		berth_error_move(err, &first);
		return -1;
	}
	return 0;
}

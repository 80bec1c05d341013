/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_UTIL_LOCK_H
#define BERTH_UTIL_LOCK_H

/*
 * Advisory file locks (flock(2)) on a lock file. The kernel drops a lock
 * when its holder dies, so a kill -9 never leaves a stale lock behind.
 *
 * Lock order, to avoid deadlocks: the store lock first, then a
 * container's lock, then a network's lock. Never take a lock of an
 * earlier kind while holding a later one.
 */

#include <stdbool.h>

#include "util/error.h"

enum lock_mode {
	LOCK_MODE_SHARED,
	LOCK_MODE_EXCLUSIVE,
};

/* Open (creating it if needed) and lock path; returns the held fd. */
int lock_acquire(const char *path, enum lock_mode mode, int *ret_fd,
		 struct berth_error **err);

/* Like lock_acquire() but fails with EWOULDBLOCK instead of waiting. */
int lock_try_acquire(const char *path, enum lock_mode mode, int *ret_fd,
		     struct berth_error **err);

void lock_release(int *fd);

#define _cleanup_lock_ __attribute__((cleanup(lock_release)))

#endif

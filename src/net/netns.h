/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_NET_NETNS_H
#define BERTH_NET_NETNS_H

/*
 * Named network namespaces, as "ip netns add" makes them: a new
 * namespace kept alive by a bind mount of its nsfs file on path, so the
 * runtime can join it by path and the engine can set it up before the
 * container's init exists.
 */

#include "util/error.h"

/* Make a new, empty network namespace bound at path. */
int net_netns_create(const char *path, struct berth_error **err);

/* Unmount and unlink path; a missing path is not an error. */
int net_netns_remove(const char *path, struct berth_error **err);

#endif

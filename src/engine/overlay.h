/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_OVERLAY_H
#define BERTH_ENGINE_OVERLAY_H

/*
 * The container's root file system: an overlay of the image's layer
 * directories (lowerdir, top first, joined by ':') with DIR/upper and
 * DIR/work, mounted on DIR/rootfs in the host's mount namespace.
 */

#include "util/error.h"

/* Mount the overlay on DIR/rootfs; an existing overlay there is kept. */
int overlay_mount(const char *dir, const char *lowerdir,
		  struct berth_error **err);

/* Unmount DIR/rootfs, detaching it if busy; not mounted is no error. */
int overlay_unmount(const char *dir, struct berth_error **err);

/* Build the lowerdir option from layer directories, top first. */
int overlay_lowerdir(char **dirs, char **ret, struct berth_error **err);

#endif

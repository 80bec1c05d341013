/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_RUNTIME_ROOTFS_H
#define BERTH_RUNTIME_ROOTFS_H

/*
 * Building the container's file system view, run by the container init
 * inside its new mount namespace, before the process is set up:
 *
 *  1. make the mount tree private (or rootfsPropagation) so nothing
 *     propagates back to the host, and bind the root onto itself;
 *  2. perform config.json mounts in order, each destination resolved
 *     inside the root before it is created or mounted;
 *  3. create the default devices and linux.devices, /dev symlinks,
 *     /dev/pts/ptmx and /dev/console when console_path is set;
 *  4. pivot_root into the root (chroot when no_pivot), detach the old
 *     root, apply maskedPaths and readonlyPaths, then sysctls, then make
 *     / read-only when root.readonly.
 */

#include <stdbool.h>

#include "runtime/spec.h"
#include "util/error.h"

/*
 * rootfs is the absolute path of the root directory. console_path is the
 * host path of the pseudo-terminal slave to show as /dev/console, or
 * NULL.
 */
int rootfs_setup(const struct spec *spec, const char *rootfs,
		 const char *console_path, bool no_pivot,
		 struct berth_error **err);

#endif

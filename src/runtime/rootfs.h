/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_RUNTIME_ROOTFS_H
#define BERTH_RUNTIME_ROOTFS_H

/*
 * Building the container's file system view, run by the container init
 * inside its new mount namespace, before the process is set up:
 *
 *  1. make every mount a slave of the host's, so nothing propagates
 *     back to the host, and bind the root onto itself;
 *  2. perform config.json mounts in order, each destination resolved
 *     inside the root before it is created or mounted;
 *  3. create the default devices and linux.devices, the /dev symlinks,
 *     /dev/ptmx (a symlink to pts/ptmx) and /dev/console when
 *     console_path is set;
 *  4. write linux.sysctl, apply maskedPaths and readonlyPaths, and make
 *     the root read-only when root.readonly;
 *  5. pivot_root into the root (MS_MOVE and chroot when no_pivot),
 *     detach the old root and apply linux.rootfsPropagation (rprivate
 *     when unset).
 *
 * Steps 2 to 4 mount onto "/proc/self/fd/N" paths of descriptors opened
 * inside the root, so they run before pivot_root, while the host's /proc
 * is reachable. The caller must have unshared the mount namespace: the
 * call fails when it shares the mount namespace of /proc/1. On failure
 * the mounts made so far stay in that namespace, which ends with the
 * init; none of them reaches the host's.
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

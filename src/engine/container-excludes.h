/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_CONTAINER_EXCLUDES_H
#define BERTH_ENGINE_CONTAINER_EXCLUDES_H

/*
 * What in a container's upper dir is no change of the container: the
 * mount targets that the runtime creates there. Shared by commit and
 * diff.
 */

/* Split the overlay lowerdir option at ':', top first, NULL-terminated. */
char **container_lowers(const char *lowerdir);

/*
 * Return the paths (relative to upper) that commit and diff leave out,
 * NULL-terminated. These are the entries of engine_mount_targets, and
 * the runtime's mount point directories (etc, proc, sys, dev) that the
 * lower layers lack and that contain nothing in upper but excluded paths.
 */
char **container_change_excludes(const char *upper, char *const *lowers);

#endif

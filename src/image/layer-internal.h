/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_IMAGE_LAYER_INTERNAL_H
#define BERTH_IMAGE_LAYER_INTERNAL_H

/* Helpers shared by the files of the layer extractor. */

#include <archive.h>
#include <archive_entry.h>
#include <stdbool.h>
#include <time.h>

#include "util/error.h"

/*
 * Clean a tar entry path: drop leading '/', empty and "." components,
 * and apply ".." lexically. Fails when ".." climbs above the root. The
 * result is "" for the root itself.
 */
int layer_path_clean(const char *path, char **ret, struct berth_error **err);

/* Split a cleaned path at its last '/' into a new parent and a base. */
void layer_path_split(const char *path, char **ret_parent,
		      const char **ret_base);

/*
 * Open the directory path below root_fd without following any symlink
 * (and so never leaving the root). With create, missing directories
 * are made with mode 0755. path "" opens the root. Returns an O_RDONLY
 * directory descriptor.
 */
int layer_open_dir(int root_fd, const char *path, bool create, int *ret_fd,
		   struct berth_error **err);

/* Owner, mode, xattrs and times of an entry, applied after creation. */
int layer_apply_fd(int fd, struct archive_entry *entry, bool times,
		   struct berth_error **err);
int layer_apply_at(int dir_fd, const char *name, struct archive_entry *entry,
		   struct berth_error **err);
void layer_entry_times(struct archive_entry *entry, struct timespec ts[2]);

#endif

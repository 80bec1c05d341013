/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_COMPOSE_READ_FILE_H
#define BERTH_COMPOSE_READ_FILE_H

#include <stddef.h>

#include "util/error.h"

/*
 * Read a whole file into a new NUL-terminated buffer, rejecting files
 * larger than max bytes. The error keeps errno, so a caller can
 * recognize ENOENT.
 */
int read_file_capped(const char *path, size_t max, char **ret, size_t *len,
		     struct berth_error **err);

/* Read an open descriptor to its end, naming it name in errors. */
int read_fd_capped(int fd, const char *name, size_t max, char **ret,
		   size_t *len, struct berth_error **err);

#endif

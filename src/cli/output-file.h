/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_CLI_OUTPUT_FILE_H
#define BERTH_CLI_OUTPUT_FILE_H

/*
 * The -o FILE of the commands that write an archive (save, export). A
 * regular file, or the file a symlink points to, is written under a temp
 * name next to it and renamed over it when complete, so a failed command
 * leaves no partial archive. A device or FIFO such as /dev/null is
 * written in place and never replaced. Rejected: a directory, a
 * terminal and any path inside the berth root, whose blobs and layers
 * the command reads.
 */

#include "util/error.h"

struct output_file {
	char *path; /* the file that receives the archive */
	char *tmp;  /* the temp file renamed to path, or NULL when in place */
	int fd;
};

#define OUTPUT_TERMINAL_ERROR                                         \
	"refusing to write an archive to a terminal: use -o FILE or " \
	"redirect stdout"

/* Open output for writing. root is the berth root (BERTH_ROOT). */
int output_file_open(const char *root, const char *output,
		     struct output_file *ret, struct berth_error **err);

/* Sync the temp file and rename it over the output, then close. */
int output_file_commit(struct output_file *out, struct berth_error **err);

/* Remove the temp file, if any, and close. Safe after a commit. */
void output_file_abort(struct output_file *out);

/*
 * Fail when output, with symlinks resolved, is inside the berth root,
 * whose blobs, index.json and containers a command reads.
 */
int output_check_outside_root(const char *root, const char *output,
			      struct berth_error **err);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_IMAGE_BLOB_H
#define BERTH_IMAGE_BLOB_H

/*
 * Content-addressed blobs under ROOT/blobs/sha256/<hex>.
 *
 * Calling sequence for a blob of unknown or streamed content:
 *
 *	blob_writer_open(root, &w, err);
 *	blob_writer_write(w, buf, len, err);	(any number of times)
 *	blob_writer_commit(w, expected_or_NULL, -1, digest, err);
 *	blob_writer_free(w);
 *
 * The writer fills a temp file in ROOT/tmp/ and hashes while writing.
 * commit checks the digest and size when the caller knows them, fsyncs
 * the file and renames it into blobs/sha256/, so a blob under its final
 * name is always complete and matches its name. blob_writer_free()
 * removes the temp file of a writer that was not committed.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/digest.h"
#include "util/error.h"

struct blob_writer;

int blob_writer_open(const char *root, struct blob_writer **ret,
		     struct berth_error **err);
int blob_writer_write(struct blob_writer *w, const void *buf, size_t len,
		      struct berth_error **err);
/*
 * Verify and publish the blob. expected_digest may be NULL and
 * expected_size -1 when unknown. ret_digest receives "sha256:<hex>".
 */
int blob_writer_commit(struct blob_writer *w, const char *expected_digest,
		       int64_t expected_size,
		       char ret_digest[DIGEST_STRING_SIZE],
		       struct berth_error **err);
uint64_t blob_writer_size(const struct blob_writer *w);
void blob_writer_free(struct blob_writer *w);

static inline void cleanup_blob_writer_freep(struct blob_writer **w)
{
	blob_writer_free(*w);
}

#define _cleanup_blob_writer_ \
	__attribute__((cleanup(cleanup_blob_writer_freep)))

/* Store a buffer as a blob and return its digest. */
int blob_write_buffer(const char *root, const void *buf, size_t len,
		      char ret_digest[DIGEST_STRING_SIZE],
		      struct berth_error **err);

/* Return ROOT/blobs/sha256/<hex> for a valid digest, else NULL. */
char *blob_path(const char *root, const char *digest);

bool blob_exists(const char *root, const char *digest);

/*
 * Read a whole blob of at most max_size bytes and check that its content
 * matches its digest. The buffer is NUL-terminated past *ret_len.
 */
int blob_read(const char *root, const char *digest, size_t max_size,
	      char **ret_data, size_t *ret_len, struct berth_error **err);

/* Open a blob for reading, O_CLOEXEC. */
int blob_open(const char *root, const char *digest, int *ret_fd,
	      struct berth_error **err);

int blob_remove(const char *root, const char *digest, struct berth_error **err);

#endif

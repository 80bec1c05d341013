/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_IMAGE_GZIP_WRITER_H
#define BERTH_IMAGE_GZIP_WRITER_H

/*
 * Gzip compression of a stream into a blob, on a worker thread so that
 * it overlaps with the caller's extraction.
 *
 * The input is cut into chunks of GZIP_WRITER_CHUNK bytes, and each
 * chunk becomes one gzip member made by libdeflate, which has no
 * streaming interface. Concatenated members are one valid gzip stream
 * (RFC 1952, section 2.2) that zlib, Go's compress/gzip and GNU gzip
 * read whole.
 *
 * The worker owns the blob writer from gzip_writer_new() until
 * gzip_writer_finish() or gzip_writer_free() returns; the caller must
 * not touch it in between.
 */

#include <stddef.h>

#include "image/blob.h"
#include "util/error.h"

#define GZIP_WRITER_CHUNK (1 << 20)

struct gzip_writer;

int gzip_writer_new(struct blob_writer *blob, struct gzip_writer **ret,
		    struct berth_error **err);
int gzip_writer_write(struct gzip_writer *g, const void *buf, size_t len,
		      struct berth_error **err);
/* Compress what is buffered and wait for the worker to write it all. */
int gzip_writer_finish(struct gzip_writer *g, struct berth_error **err);
/* Stop the worker, dropping unwritten input, and free g. */
void gzip_writer_free(struct gzip_writer *g);

#endif

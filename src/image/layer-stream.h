/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_IMAGE_LAYER_STREAM_H
#define BERTH_IMAGE_LAYER_STREAM_H

/*
 * One pass over a layer tarball read from a descriptor (a file, a pipe
 * or a blob). The stream detects the compression from the first bytes,
 * decompresses, hashes the uncompressed tar (the diff_id), optionally
 * feeds a blob writer with the gzip form of the layer, and hands the
 * tar to libarchive:
 *
 *	layer_stream_new(fd, blob_or_NULL, &s, err);
 *	layer_stream_open_archive(s, &ar, err);
 *	layer_unpack(ar, dir_fd, err);
 *	layer_stream_finish(s, diff_id, err);
 *	layer_stream_free(s);
 *
 * For gzip input the blob receives the input bytes unchanged; plain and
 * zstd input is compressed with gzip on the way. finish() reads what
 * libarchive left (the zero blocks after the end-of-archive marker), so
 * the digests cover every byte.
 */

#include <archive.h>

#include "image/blob.h"
#include "image/digest.h"
#include "util/error.h"

enum layer_compression {
	LAYER_COMPRESSION_NONE,
	LAYER_COMPRESSION_GZIP,
	LAYER_COMPRESSION_ZSTD,
};

struct layer_stream;

int layer_stream_new(int fd, struct blob_writer *blob,
		     struct layer_stream **ret, struct berth_error **err);

enum layer_compression layer_stream_compression(const struct layer_stream *s);

/*
 * Skip the gzip CRC-32 check, for a caller that compares the diff_id,
 * a SHA-256 of the same uncompressed bytes. The length check stays.
 */
void layer_stream_skip_crc(struct layer_stream *s);

/* Open a libarchive tar reader on the decompressed stream. */
int layer_stream_open_archive(struct layer_stream *s, struct archive **ret,
			      struct berth_error **err);

/*
 * Move the error of a failed read into *err when *err is still unset.
 * libarchive already repeats the stream's message in its own error, so
 * this only matters where no libarchive error was reported.
 */
void layer_stream_take_error(struct layer_stream *s, struct berth_error **err);

/* Read to the end, flush the blob's compressor, return the diff_id. */
int layer_stream_finish(struct layer_stream *s,
			char ret_diff_id[DIGEST_STRING_SIZE],
			struct berth_error **err);

void layer_stream_free(struct layer_stream *s);

static inline void cleanup_layer_stream_freep(struct layer_stream **s)
{
	layer_stream_free(*s);
}

#define _cleanup_layer_stream_ \
	__attribute__((cleanup(cleanup_layer_stream_freep)))

#endif

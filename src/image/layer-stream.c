/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "image/layer-stream.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "image/gzip-writer.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#define STREAM_BUF_SIZE (1 << 20)

struct layer_stream {
	int fd;
	enum layer_compression compression;
	struct blob_writer *blob;
	struct berth_error *error;
	struct digest_ctx *diff;

	unsigned char *in;
	size_t in_len;
	size_t in_pos;
	bool in_eof;

	unsigned char *out;
	/* The decompressor may hold output that did not fit last time. */
	bool pending;

	z_stream inflate;
	bool inflate_ready;
	bool gzip_ended;

	ZSTD_DStream *zstd;
	size_t zstd_hint; /* 0 once a frame is complete */

	/* Compresses plain and zstd input into the blob. */
	struct gzip_writer *gzip;
};

static int stream_fail(struct layer_stream *s, int errnum, const char *what,
		       const char *detail)
{
	if (detail != NULL)
		return berth_error_set(&s->error, errnum, "%s: %s", what,
				       detail);
	return berth_error_set(&s->error, errnum, "%s", what);
}

static int read_some(struct layer_stream *s, size_t offset)
{
	ssize_t n;

	do
		n = read(s->fd, s->in + offset, STREAM_BUF_SIZE - offset);
	while (n < 0 && errno == EINTR);

	if (n < 0)
		return stream_fail(s, errno, "read layer", NULL);
	if (n == 0)
		s->in_eof = true;
	return (int)n;
}

static bool blob_takes_input(const struct layer_stream *s)
{
	return s->blob != NULL && s->compression == LAYER_COMPRESSION_GZIP;
}

static int fill_input(struct layer_stream *s)
{
	int n;

	if (s->in_pos < s->in_len || s->in_eof)
		return 0;

	n = read_some(s, 0);
	if (n < 0)
		return -1;

	s->in_len = n;
	s->in_pos = 0;
	if (n > 0 && blob_takes_input(s) &&
	    blob_writer_write(s->blob, s->in, n, &s->error) < 0)
		return -1;
	return 0;
}

/* Run the decompressor once; return the bytes produced in s->out. */
static ssize_t decompress(struct layer_stream *s)
{
	if (s->compression == LAYER_COMPRESSION_GZIP) {
		z_stream *z = &s->inflate;
		int r;

		/* Concatenated gzip members form one stream (RFC 1952). */
		if (s->gzip_ended && s->in_pos < s->in_len) {
			inflateReset(z);
			s->gzip_ended = false;
		}
		z->next_in = s->in + s->in_pos;
		z->avail_in = s->in_len - s->in_pos;
		z->next_out = s->out;
		z->avail_out = STREAM_BUF_SIZE;
		r = inflate(z, Z_NO_FLUSH);
		s->in_pos = s->in_len - z->avail_in;
		if (r == Z_STREAM_END)
			s->gzip_ended = true;
		else if (r != Z_OK && r != Z_BUF_ERROR)
			return stream_fail(s, 0, "corrupt gzip data", z->msg);
		s->pending = z->avail_out == 0;
		return STREAM_BUF_SIZE - z->avail_out;
	} else {
		ZSTD_inBuffer in = {s->in, s->in_len, s->in_pos};
		ZSTD_outBuffer out = {s->out, STREAM_BUF_SIZE, 0};
		size_t r = ZSTD_decompressStream(s->zstd, &out, &in);

		if (ZSTD_isError(r))
			return stream_fail(s, 0, "corrupt zstd data",
					   ZSTD_getErrorName(r));
		s->zstd_hint = r;
		s->in_pos = in.pos;
		s->pending = out.pos == out.size;
		return out.pos;
	}
}

static int check_end(struct layer_stream *s)
{
	if (s->compression == LAYER_COMPRESSION_GZIP && !s->gzip_ended)
		return stream_fail(s, 0, "truncated gzip data", NULL);
	if (s->compression == LAYER_COMPRESSION_ZSTD && s->zstd_hint != 0)
		return stream_fail(s, 0, "truncated zstd data", NULL);
	return 0;
}

/* Produce the next piece of the uncompressed tar; *ret_len 0 at its end. */
static int produce(struct layer_stream *s, const void **ret_buf,
		   size_t *ret_len)
{
	ssize_t n = 0;

	while (n == 0) {
		if (!s->pending && s->in_pos == s->in_len) {
			if (fill_input(s) < 0)
				return -1;
			if (s->in_pos == s->in_len) {
				*ret_len = 0;
				return check_end(s);
			}
		}

		if (s->compression == LAYER_COMPRESSION_NONE) {
			*ret_buf = s->in + s->in_pos;
			n = s->in_len - s->in_pos;
			s->in_pos = s->in_len;
			break;
		}

		n = decompress(s);
		if (n < 0)
			return -1;
		*ret_buf = s->out;
	}

	digest_update(s->diff, *ret_buf, n);
	if (s->gzip != NULL &&
	    gzip_writer_write(s->gzip, *ret_buf, n, &s->error) < 0)
		return -1;

	*ret_len = n;
	return 0;
}

static enum layer_compression detect(const unsigned char *p, size_t len)
{
	static const unsigned char zstd_magic[] = {0x28, 0xb5, 0x2f, 0xfd};

	if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return LAYER_COMPRESSION_GZIP;
	if (len >= 4 && memcmp(p, zstd_magic, 4) == 0)
		return LAYER_COMPRESSION_ZSTD;
	return LAYER_COMPRESSION_NONE;
}

static int reject_other_compression(const unsigned char *p, size_t len,
				    struct berth_error **err)
{
	static const unsigned char xz_magic[] = {0xfd, '7', 'z', 'X', 'Z', 0};

	if ((len >= 6 && memcmp(p, xz_magic, 6) == 0) ||
	    (len >= 3 && memcmp(p, "BZh", 3) == 0))
		return berth_error_set(err, 0,
				       "unsupported layer compression (xz or "
				       "bzip2): use a plain, gzip or zstd "
				       "tarball");
	return 0;
}

static int setup_codecs(struct layer_stream *s, struct berth_error **err)
{
	if (s->compression == LAYER_COMPRESSION_GZIP) {
		/* 15 + 32: a 32 KiB window, gzip or zlib header detected. */
		if (inflateInit2(&s->inflate, 15 + 32) != Z_OK)
			return berth_error_set(err, ENOMEM, "set up gunzip");
		s->inflate_ready = true;
	} else if (s->compression == LAYER_COMPRESSION_ZSTD) {
		s->zstd = ZSTD_createDStream();
		if (s->zstd == NULL)
			return berth_error_set(err, ENOMEM, "set up zstd");
		s->zstd_hint = 1;
	}

	if (s->blob != NULL && !blob_takes_input(s) &&
	    gzip_writer_new(s->blob, &s->gzip, err) < 0)
		return -1;
	return 0;
}

int layer_stream_new(int fd, struct blob_writer *blob,
		     struct layer_stream **ret, struct berth_error **err)
{
	struct layer_stream *s = xzalloc(sizeof(*s));

	s->fd = fd;
	s->blob = blob;
	s->in = xmalloc(STREAM_BUF_SIZE);
	s->out = xmalloc(STREAM_BUF_SIZE);
	s->diff = digest_new();

	/* A pipe may deliver the magic bytes in pieces. */
	while (s->in_len < 6 && !s->in_eof) {
		int n = read_some(s, s->in_len);

		if (n < 0) {
			berth_error_move(err, &s->error);
			layer_stream_free(s);
			return -1;
		}
		s->in_len += n;
	}

	s->compression = detect(s->in, s->in_len);
	if (reject_other_compression(s->in, s->in_len, err) < 0 ||
	    setup_codecs(s, err) < 0 ||
	    (blob_takes_input(s) &&
	     blob_writer_write(blob, s->in, s->in_len, err) < 0)) {
		layer_stream_free(s);
		return -1;
	}

	*ret = s;
	return 0;
}

enum layer_compression layer_stream_compression(const struct layer_stream *s)
{
	return s->compression;
}

void layer_stream_skip_crc(struct layer_stream *s)
{
	/* inflateReset() between gzip members keeps this setting. */
	if (s->inflate_ready)
		inflateValidate(&s->inflate, 0);
}

static la_ssize_t archive_read_cb(struct archive *ar, void *opaque,
				  const void **buf)
{
	struct layer_stream *s = opaque;
	size_t len;

	if (produce(s, buf, &len) < 0) {
		_cleanup_free_ char *text = berth_error_text(s->error);

		archive_set_error(ar, EIO, "%s", text);
		return -1;
	}
	return (la_ssize_t)len;
}

int layer_stream_open_archive(struct layer_stream *s, struct archive **ret,
			      struct berth_error **err)
{
	struct archive *ar = archive_read_new();

	if (ar == NULL)
		abort();
	archive_read_support_format_tar(ar);

	if (archive_read_open(ar, s, NULL, archive_read_cb, NULL) !=
	    ARCHIVE_OK) {
		berth_error_move(err, &s->error);
		berth_error_set(err, 0, "read layer: %s",
				archive_error_string(ar));
		archive_read_free(ar);
		return -1;
	}

	*ret = ar;
	return 0;
}

void layer_stream_take_error(struct layer_stream *s, struct berth_error **err)
{
	if (s->error != NULL)
		berth_error_move(err, &s->error);
}

int layer_stream_finish(struct layer_stream *s,
			char ret_diff_id[DIGEST_STRING_SIZE],
			struct berth_error **err)
{
	const void *buf;
	size_t len;

	do {
		if (produce(s, &buf, &len) < 0) {
			berth_error_move(err, &s->error);
			return -1;
		}
	} while (len > 0);

	if (s->gzip != NULL && gzip_writer_finish(s->gzip, err) < 0)
		return -1;

	digest_final(s->diff, ret_diff_id);
	return 0;
}

void layer_stream_free(struct layer_stream *s)
{
	if (s == NULL)
		return;
	if (s->inflate_ready)
		inflateEnd(&s->inflate);
	gzip_writer_free(s->gzip);
	ZSTD_freeDStream(s->zstd);
	digest_free(s->diff);
	berth_error_free(&s->error);
	free(s->out);
	free(s->in);
	free(s);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "image/gzip-writer.h"

#include <errno.h>
#include <libdeflate.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/*
 * Level 1 keeps compression close to the speed of extraction. Importing
 * a plain 176 MB tar (usr/share/doc and usr/share/man of a Debian 12
 * host) took 2.0 s of CPU with libdeflate and 4.6 s with zlib, both at
 * level 1. The blobs were 107 MB and 108 MB.
 */
#define GZIP_LEVEL 1

struct gzip_writer {
	struct blob_writer *blob;
	struct libdeflate_compressor *compressor;
	unsigned char *out;
	size_t out_size;
	size_t members;

	/* The caller fills one buffer while the worker reads the other. */
	unsigned char *buffers[2];
	size_t fill;
	int current;

	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* Guarded by lock: the chunk handed to the worker, NULL when idle. */
	const unsigned char *job;
	size_t job_len;
	bool stop;
	struct berth_error *error;
};

static int compress_member(struct gzip_writer *g, const unsigned char *buf,
			   size_t len, struct berth_error **err)
{
	size_t n = libdeflate_gzip_compress(g->compressor, buf, len, g->out,
					    g->out_size);

	if (n == 0)
		return berth_error_set(err, 0,
				       "compress layer: output "
				       "larger than its bound");
	g->members++;
	return blob_writer_write(g->blob, g->out, n, err);
}

static void *worker_main(void *opaque)
{
	struct gzip_writer *g = opaque;

	pthread_mutex_lock(&g->lock);
	for (;;) {
		struct berth_error *error = NULL;
		bool failed;

		while (g->job == NULL && !g->stop)
			pthread_cond_wait(&g->cond, &g->lock);
		if (g->job == NULL)
			break;

		/* After a failure the remaining chunks are dropped. */
		failed = g->error != NULL;
		pthread_mutex_unlock(&g->lock);
		if (!failed)
			compress_member(g, g->job, g->job_len, &error);
		pthread_mutex_lock(&g->lock);

		if (error != NULL)
			berth_error_move(&g->error, &error);
		g->job = NULL;
		pthread_cond_broadcast(&g->cond);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

/* Wait until the worker is idle; returns -1 with its error if it failed. */
static int wait_idle(struct gzip_writer *g, struct berth_error **err)
{
	int r = 0;

	pthread_mutex_lock(&g->lock);
	while (g->job != NULL)
		pthread_cond_wait(&g->cond, &g->lock);
	if (g->error != NULL) {
		berth_error_move(err, &g->error);
		r = -1;
	}
	pthread_mutex_unlock(&g->lock);
	return r;
}

/* Hand the current buffer to the worker and switch to the other one. */
static int submit(struct gzip_writer *g, struct berth_error **err)
{
	if (wait_idle(g, err) < 0)
		return -1;

	pthread_mutex_lock(&g->lock);
	g->job = g->buffers[g->current];
	g->job_len = g->fill;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);

	g->current = 1 - g->current;
	g->fill = 0;
	return 0;
}

int gzip_writer_new(struct blob_writer *blob, struct gzip_writer **ret,
		    struct berth_error **err)
{
	struct gzip_writer *g = xzalloc(sizeof(*g));
	int r;

	g->blob = blob;
	g->compressor = libdeflate_alloc_compressor(GZIP_LEVEL);
	if (g->compressor == NULL) {
		free(g);
		return berth_error_set(err, ENOMEM, "set up gzip compression");
	}
	g->out_size = libdeflate_gzip_compress_bound(g->compressor,
						     GZIP_WRITER_CHUNK);
	g->out = xmalloc(g->out_size);
	g->buffers[0] = xmalloc(GZIP_WRITER_CHUNK);
	g->buffers[1] = xmalloc(GZIP_WRITER_CHUNK);
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);

	r = pthread_create(&g->thread, NULL, worker_main, g);
	if (r != 0) {
		gzip_writer_free(g);
		return berth_error_set(err, r, "start compression thread");
	}
	g->started = true;

	*ret = g;
	return 0;
}

int gzip_writer_write(struct gzip_writer *g, const void *buf, size_t len,
		      struct berth_error **err)
{
	const unsigned char *p = buf;

	while (len > 0) {
		size_t room = GZIP_WRITER_CHUNK - g->fill;
		size_t n = len < room ? len : room;

		memcpy(g->buffers[g->current] + g->fill, p, n);
		g->fill += n;
		p += n;
		len -= n;

		if (g->fill == GZIP_WRITER_CHUNK && submit(g, err) < 0)
			return -1;
	}
	return 0;
}

int gzip_writer_finish(struct gzip_writer *g, struct berth_error **err)
{
	/* Once the worker is idle, members no longer changes. */
	if (wait_idle(g, err) < 0)
		return -1;

	/* An empty layer still needs one member to be valid gzip. */
	if (g->fill > 0 || g->members == 0) {
		if (submit(g, err) < 0 || wait_idle(g, err) < 0)
			return -1;
	}
	return 0;
}

void gzip_writer_free(struct gzip_writer *g)
{
	if (g == NULL)
		return;

	if (g->started) {
		pthread_mutex_lock(&g->lock);
		g->stop = true;
		pthread_cond_broadcast(&g->cond);
		pthread_mutex_unlock(&g->lock);
		pthread_join(g->thread, NULL);
	}

	pthread_cond_destroy(&g->cond);
	pthread_mutex_destroy(&g->lock);
	berth_error_free(&g->error);
	libdeflate_free_compressor(g->compressor);
	free(g->buffers[0]);
	free(g->buffers[1]);
	free(g->out);
	free(g);
}

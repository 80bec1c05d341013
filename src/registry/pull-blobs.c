/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "image/blob.h"
#include "image/layer-feed.h"
#include "registry/pull-internal.h"
#include "registry/pull.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

/* Report the bytes of one blob at most this often. */
#define PROGRESS_INTERVAL_NS (100 * 1000 * 1000LL)

/*
 * libcurl passes at most 16 KiB (CURL_MAX_WRITE_SIZE) to a write
 * callback. Gathering 1 MiB saves many writes to the blob and the pipe.
 */
#define SINK_BUFFER_SIZE (1 << 20)

struct fetch_state {
	const struct pull_blobs *p;
	pthread_mutex_t lock; /* next, first_err and progress calls */
	const bool *missing;  /* blobs to fetch: the store lacks them */
	size_t next;
	struct berth_error *first_err;
	atomic_bool failed;
};

struct blob_sink {
	struct fetch_state *s;
	size_t index;
	struct blob_writer *w;
	struct layer_feed *feed; /* NULL: the blob is only stored */
	int64_t expected;
	int64_t received;
	int64_t last_report_ns;
	unsigned char *buf;
	size_t buf_len;
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void report(struct fetch_state *s, size_t index, int64_t done,
		   enum registry_progress_state state)
{
	const struct pull_blobs *p = s->p;
	struct registry_progress_event ev = {
		.index = index,
		.count = p->n_blobs,
		.digest = p->blobs[index].desc->digest,
		.kind = p->blobs[index].kind,
		.done = done,
		.total = p->blobs[index].desc->size,
		.state = state,
	};

	if (p->progress == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	p->progress(p->progress_data, &ev);
	pthread_mutex_unlock(&s->lock);
}

/* Hand bytes to the blob writer and to the layer extraction. */
static int sink_pass(struct blob_sink *k, const void *buf, size_t len,
		     struct berth_error **err)
{
	if (blob_writer_write(k->w, buf, len, err) < 0 ||
	    (k->feed != NULL && layer_feed_write(k->feed, buf, len, err) < 0))
		return -1;
	return 0;
}

static int sink_flush(struct blob_sink *k, struct berth_error **err)
{
	if (k->buf_len > 0 && sink_pass(k, k->buf, k->buf_len, err) < 0)
		return -1;
	k->buf_len = 0;
	return 0;
}

static int sink_write(void *data, const void *buf, size_t len,
		      struct berth_error **err)
{
	struct blob_sink *k = data;
	int64_t t;

	if (atomic_load(&k->s->failed))
		return berth_error_set(err, 0, "cancelled");
	if (k->received + (int64_t)len > k->expected)
		return berth_error_set(err, 0,
				       "the registry sent more than the %lld "
				       "bytes that the manifest gives",
				       (long long)k->expected);
	if (k->buf_len + len > SINK_BUFFER_SIZE && sink_flush(k, err) < 0)
		return -1;
	if (len >= SINK_BUFFER_SIZE) {
		if (sink_pass(k, buf, len, err) < 0)
			return -1;
	} else {
		memcpy(k->buf + k->buf_len, buf, len);
		k->buf_len += len;
	}
	k->received += len;

	t = now_ns();
	if (t - k->last_report_ns >= PROGRESS_INTERVAL_NS) {
		k->last_report_ns = t;
		report(k->s, k->index, k->received, REGISTRY_PROGRESS_RUNNING);
	}
	return 0;
}

static int fetch_one(struct fetch_state *s, size_t index,
		     struct berth_error **err)
{
	const struct pull_blobs *p = s->p;
	const struct pull_blob *b = &p->blobs[index];
	const struct remote_descriptor *d = b->desc;
	_cleanup_blob_writer_ struct blob_writer *w = NULL;
	_cleanup_layer_feed_ struct layer_feed *feed = NULL;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ unsigned char *buf = xmalloc(SINK_BUFFER_SIZE);
	struct blob_sink sink = {
		.s = s,
		.index = index,
		.expected = d->size,
		.buf = buf,
	};
	struct registry_request req = {
		.method = "GET",
		.scope = p->scope,
		.body_fd = -1,
		.write = sink_write,
		.write_data = &sink,
	};
	struct registry_response resp = {0};
	char digest[DIGEST_STRING_SIZE];
	int r;

	if (blob_writer_open(p->root, &w, err) < 0 ||
	    (b->extract && layer_feed_start(p->store, b->diff_id, b->chain_id,
					    &feed, err) < 0))
		return -1;
	sink.w = w;
	sink.feed = feed;
	xasprintf(&path, "/v2/%s/blobs/%s", p->repository, d->digest);
	req.path = path;

	report(s, index, 0, REGISTRY_PROGRESS_RUNNING);
	if (registry_request(p->client, &req, &resp, err) < 0)
		return -1;
	if (resp.status != 200) {
		r = registry_error_from_response(p->client, &resp, "fetch",
						 err);
		registry_response_clear(&resp);
		return r;
	}
	registry_response_clear(&resp);

	/* The layer directory gets its name only once the blob matched. */
	if (sink_flush(&sink, err) < 0 ||
	    blob_writer_commit(w, d->digest, d->size, digest, err) < 0 ||
	    (feed != NULL && layer_feed_end(feed, err) < 0) ||
	    (feed != NULL && layer_feed_commit(feed, err) < 0))
		return -1;
	report(s, index, d->size, REGISTRY_PROGRESS_DONE);
	return 0;
}

static void record_failure(struct fetch_state *s, size_t index,
			   struct berth_error **err)
{
	const struct pull_blob *b = &s->p->blobs[index];

	berth_error_wrap(err, "%s '%s'", b->kind, b->desc->digest);
	pthread_mutex_lock(&s->lock);
	if (s->first_err == NULL && !atomic_load(&s->failed))
		berth_error_move(&s->first_err, err);
	atomic_store(&s->failed, true);
	pthread_mutex_unlock(&s->lock);
	berth_error_free(err);
	report(s, index, 0, REGISTRY_PROGRESS_FAILED);
}

static bool take_next(struct fetch_state *s, size_t *ret)
{
	bool ok;

	pthread_mutex_lock(&s->lock);
	while (s->next < s->p->n_blobs && !s->missing[s->next])
		s->next++;
	ok = s->next < s->p->n_blobs && !atomic_load(&s->failed);
	if (ok)
		*ret = s->next++;
	pthread_mutex_unlock(&s->lock);
	return ok;
}

static void worker_fetch(struct fetch_state *s, size_t index)
{
	struct berth_error *err = NULL;

	if (fetch_one(s, index, &err) < 0)
		record_failure(s, index, &err);
}

static void *worker(void *data)
{
	struct fetch_state *s = data;
	size_t index;

	while (take_next(s, &index))
		worker_fetch(s, index);
	return NULL;
}

/* Announce every blob and mark those the store has. */
static size_t announce(struct fetch_state *s, bool *missing)
{
	const struct pull_blobs *p = s->p;
	size_t n = 0;

	for (size_t i = 0; i < p->n_blobs; i++) {
		missing[i] = !blob_exists(p->root, p->blobs[i].desc->digest);
		report(s, i, missing[i] ? 0 : p->blobs[i].desc->size,
		       missing[i] ? REGISTRY_PROGRESS_WAITING :
				    REGISTRY_PROGRESS_EXISTS);
		n += missing[i];
	}
	return n;
}

int pull_fetch_blobs(const struct pull_blobs *p, struct berth_error **err)
{
	struct fetch_state s = {.p = p};
	pthread_t threads[REGISTRY_PULL_PARALLEL];
	_cleanup_free_ bool *missing = xcalloc(p->n_blobs + 1, sizeof(bool));
	size_t n_threads = 0;
	size_t n_missing;

	pthread_mutex_init(&s.lock, NULL);
	s.missing = missing;
	n_missing = announce(&s, missing);

	/* The config names the diff_ids that the layer extraction needs. */
	if (p->n_blobs > 0 && missing[p->n_blobs - 1]) {
		worker_fetch(&s, p->n_blobs - 1);
		missing[p->n_blobs - 1] = false;
		n_missing--;
	}
	if (!atomic_load(&s.failed))
		pull_plan_layers(p);

	for (size_t i = 0; i < REGISTRY_PULL_PARALLEL && i < n_missing; i++) {
		if (pthread_create(&threads[i], NULL, worker, &s) != 0)
			break;
		n_threads++;
	}
	if (n_threads == 0 && n_missing > 0)
		worker(&s);
	for (size_t i = 0; i < n_threads; i++)
		pthread_join(threads[i], NULL);

	pthread_mutex_destroy(&s.lock);
	if (s.first_err != NULL) {
		berth_error_move(err, &s.first_err);
		return -1;
	}
	return 0;
}

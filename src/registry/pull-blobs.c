/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "image/blob.h"
#include "registry/pull-internal.h"
#include "registry/pull.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

/* Report the bytes of one blob at most this often. */
#define PROGRESS_INTERVAL_NS (100 * 1000 * 1000LL)

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
	int64_t expected;
	int64_t last_report_ns;
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

static int sink_write(void *data, const void *buf, size_t len,
		      struct berth_error **err)
{
	struct blob_sink *k = data;
	int64_t have = (int64_t)blob_writer_size(k->w);
	int64_t t;

	if (atomic_load(&k->s->failed))
		return berth_error_set(err, 0, "cancelled");
	if (have + (int64_t)len > k->expected)
		return berth_error_set(err, 0,
				       "the registry sent more than the %lld "
				       "bytes that the manifest gives",
				       (long long)k->expected);
	if (blob_writer_write(k->w, buf, len, err) < 0)
		return -1;

	t = now_ns();
	if (t - k->last_report_ns >= PROGRESS_INTERVAL_NS) {
		k->last_report_ns = t;
		report(k->s, k->index, have + (int64_t)len,
		       REGISTRY_PROGRESS_RUNNING);
	}
	return 0;
}

static int fetch_one(struct fetch_state *s, size_t index,
		     struct berth_error **err)
{
	const struct pull_blobs *p = s->p;
	const struct remote_descriptor *d = p->blobs[index].desc;
	_cleanup_blob_writer_ struct blob_writer *w = NULL;
	_cleanup_free_ char *path = NULL;
	struct blob_sink sink = {.s = s, .index = index, .expected = d->size};
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

	if (blob_writer_open(p->root, &w, err) < 0)
		return -1;
	sink.w = w;
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

	if (blob_writer_commit(w, d->digest, d->size, digest, err) < 0)
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

static void *worker(void *data)
{
	struct fetch_state *s = data;
	size_t index;

	while (take_next(s, &index)) {
		struct berth_error *err = NULL;

		if (fetch_one(s, index, &err) < 0)
			record_failure(s, index, &err);
	}
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

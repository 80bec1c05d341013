/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "registry/push-internal.h"
#include "registry/push.h"
#include "registry/remote-reference.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

/* The blob transfers of one push, shared by its worker threads. */
struct push_run {
	const struct push_target *target;
	const struct push_image *image;
	const struct registry_push_options *opts;

	pthread_mutex_t lock;	 /* guards the fields below and the callbacks */
	size_t next;		 /* index of the next blob to start */
	struct berth_error *err; /* first failure, which stops new blobs */
};

struct push_progress {
	struct push_run *run;
	size_t index;
};

/* Report the state of blob index. The caller holds run->lock. */
static void report_locked(struct push_run *run, size_t index,
			  enum registry_progress_state state, int64_t done)
{
	const struct push_blob *blob = &run->image->blobs[index];
	struct registry_progress_event ev = {
		.index = index,
		.count = run->image->n_blobs,
		.digest = blob->digest,
		.kind = blob->kind,
		.done = done,
		.total = blob->size,
		.state = state,
	};

	if (run->opts->progress != NULL)
		run->opts->progress(run->opts->progress_data, &ev);
}

static void advance(void *data, int64_t done)
{
	struct push_progress *p = data;

	pthread_mutex_lock(&p->run->lock);
	report_locked(p->run, p->index, REGISTRY_PROGRESS_RUNNING, done);
	pthread_mutex_unlock(&p->run->lock);
}

static void finish_blob(struct push_run *run, size_t index,
			enum push_blob_outcome outcome, const char *from)
{
	const struct push_blob *blob = &run->image->blobs[index];

	pthread_mutex_lock(&run->lock);
	if (outcome == PUSH_BLOB_EXISTED) {
		report_locked(run, index, REGISTRY_PROGRESS_EXISTS, 0);
	} else {
		if (outcome == PUSH_BLOB_MOUNTED)
			log_debug("blob '%s' mounted from '%s'", blob->digest,
				  from);
		report_locked(run, index, REGISTRY_PROGRESS_DONE, blob->size);
	}
	pthread_mutex_unlock(&run->lock);
}

static void fail_blob(struct push_run *run, size_t index,
		      struct berth_error **err)
{
	pthread_mutex_lock(&run->lock);
	report_locked(run, index, REGISTRY_PROGRESS_FAILED, 0);
	if (run->err == NULL)
		berth_error_move(&run->err, err);
	else
		berth_error_free(err);
	pthread_mutex_unlock(&run->lock);
}

/* Take the next blob to send. False when all started or one failed. */
static bool take_blob(struct push_run *run, size_t *ret)
{
	bool taken = false;

	pthread_mutex_lock(&run->lock);
	if (run->err == NULL && run->next < run->image->n_blobs) {
		*ret = run->next++;
		taken = true;
	}
	pthread_mutex_unlock(&run->lock);
	return taken;
}

static void *push_worker(void *data)
{
	struct push_run *run = data;
	size_t index;

	while (take_blob(run, &index)) {
		struct push_progress progress = {run, index};
		struct berth_error *err = NULL;
		enum push_blob_outcome outcome;
		const char *from = NULL;

		if (push_blob_send(run->target, &run->image->blobs[index],
				   index == 0, advance, &progress, &outcome,
				   &from, &err) < 0)
			fail_blob(run, index, &err);
		else
			finish_blob(run, index, outcome, from);
	}
	return NULL;
}

static int push_blobs(const struct push_target *target,
		      const struct push_image *image,
		      const struct registry_push_options *opts,
		      struct berth_error **err)
{
	struct push_run run = {
		.target = target,
		.image = image,
		.opts = opts,
	};
	pthread_t threads[REGISTRY_PUSH_PARALLEL];
	size_t n_threads = 0;
	bool exists = false;

	pthread_mutex_init(&run.lock, NULL);
	pthread_mutex_lock(&run.lock);
	for (size_t i = 0; i < image->n_blobs; i++)
		report_locked(&run, i, REGISTRY_PROGRESS_WAITING, 0);
	pthread_mutex_unlock(&run.lock);

	/*
	 * The first request probes the registry and authenticates. Sent
	 * alone, it fails once for an unreachable registry instead of once
	 * per thread.
	 */
	if (push_blob_exists(target, &image->blobs[0], &exists, err) < 0) {
		pthread_mutex_lock(&run.lock);
		report_locked(&run, 0, REGISTRY_PROGRESS_FAILED, 0);
		pthread_mutex_unlock(&run.lock);
		pthread_mutex_destroy(&run.lock);
		return -1;
	}
	if (exists) {
		finish_blob(&run, 0, PUSH_BLOB_EXISTED, NULL);
		run.next = 1;
	}

	/* The calling thread works too, so a failed pthread_create is fine. */
	for (size_t i = 1; i < REGISTRY_PUSH_PARALLEL && i < image->n_blobs;
	     i++) {
		if (pthread_create(&threads[n_threads], NULL, push_worker,
				   &run) != 0)
			break;
		n_threads++;
	}
	push_worker(&run);
	for (size_t i = 0; i < n_threads; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&run.lock);

	if (run.err != NULL) {
		berth_error_move(err, &run.err);
		return -1;
	}
	return 0;
}

static int put_manifest(const struct push_target *target,
			const struct push_image *image,
			const struct remote_ref *ref, struct berth_error **err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *content_type = NULL;
	_cleanup_free_ char *what = NULL;
	struct registry_response resp = {0};
	struct registry_request req = {
		.method = "PUT",
		.scope = target->scope,
		.body = image->manifest,
		.body_len = image->manifest_len,
		.body_fd = -1,
	};
	const char *stored;
	int r = 0;

	xasprintf(&path, "/v2/%s/manifests/%s", ref->repository,
		  remote_ref_manifest_id(ref));
	xasprintf(&content_type, "Content-Type: %s", image->media_type);
	xasprintf(&what, "upload manifest '%s'", image->manifest_digest);
	const char *headers[] = {content_type, NULL};

	req.path = path;
	req.headers = headers;
	if (registry_request(target->client, &req, &resp, err) < 0)
		return berth_error_wrap(err, "%s", what);

	if (resp.status != 201) {
		r = registry_error_from_response(target->client, &resp, what,
						 err);
		goto out;
	}

	/* The registry names the digest it computed; it must be ours. */
	stored = registry_response_header(&resp, "docker-content-digest");
	if (stored != NULL && strcmp(stored, image->manifest_digest) != 0)
		r = berth_error_set(
			err, 0, "%s: registry '%s' stored it as '%s'", what,
			registry_client_host(target->client), stored);
out:
	registry_response_clear(&resp);
	return r;
}

static int check_destination(const struct remote_ref *ref,
			     const struct push_image *image,
			     const char *destination, const char *ref_string,
			     struct berth_error **err)
{
	if (destination == NULL && image->name == NULL)
		return berth_error_set(err, 0,
				       "image '%s' is given by id or digest; "
				       "name the destination, as in 'berth "
				       "push %s REGISTRY/REPOSITORY:TAG'",
				       ref_string, ref_string);

	if (ref->digest != NULL &&
	    strcmp(ref->digest, image->manifest_digest) != 0)
		return berth_error_set(err, 0,
				       "destination '%s' names digest '%s', "
				       "but the image's manifest is '%s'",
				       destination, ref->digest,
				       image->manifest_digest);
	return 0;
}

static int push_image(struct image_store *store, const char *image_ref,
		      const char *destination,
		      const struct registry_push_options *opts,
		      struct registry_push_result *ret,
		      struct berth_error **err)
{
	_cleanup_remote_ref_ struct remote_ref *ref = NULL;
	_cleanup_push_image_ struct push_image *image = NULL;
	_cleanup_registry_client_ struct registry_client *client = NULL;
	_cleanup_free_ char *scope = NULL;
	const char *dest = destination != NULL ? destination : image_ref;

	if (remote_ref_parse(dest, &ref, err) < 0 ||
	    push_image_load(store, image_ref, ref->registry, ref->repository,
			    &image, err) < 0 ||
	    check_destination(ref, image, destination, image_ref, err) < 0 ||
	    registry_client_new(ref->registry, &opts->registry, &client, err) <
		    0)
		return -1;

	scope = remote_ref_scope(ref, "pull,push");
	struct push_target target = {
		.client = client,
		.repository = ref->repository,
		.scope = scope,
	};

	if (push_blobs(&target, image, opts, err) < 0 ||
	    put_manifest(&target, image, ref, err) < 0)
		return -1;

	ret->destination = remote_ref_string(ref);
	ret->manifest_digest = xstrdup(image->manifest_digest);
	ret->manifest_size = (int64_t)image->manifest_len;
	ret->tag = ref->digest == NULL && ref->tag != NULL ? xstrdup(ref->tag) :
							     NULL;
	return 0;
}

int registry_push(struct image_store *store, const char *image,
		  const char *destination,
		  const struct registry_push_options *opts,
		  struct registry_push_result *ret, struct berth_error **err)
{
	if (push_image(store, image, destination, opts, ret, err) < 0) {
		registry_push_result_clear(ret);
		return berth_error_wrap(err, "push '%s'",
					destination ? destination : image);
	}
	return 0;
}

void registry_push_result_clear(struct registry_push_result *r)
{
	free(r->destination);
	free(r->manifest_digest);
	free(r->tag);
	memset(r, 0, sizeof(*r));
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "compose up": the project's networks and volumes, then each service's
 * container in dependency order, each started once the conditions of
 * its depends_on hold.
 */
#include <errno.h>
#include <string.h>

#include "compose/orchestrate.h"
#include "engine/container-state.h"
#include "engine/container-store.h"
#include "engine/health.h"
#include "engine/volume.h"
#include "image/store.h"
#include "net/store.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

static void progress(const struct compose_up_options *opts, const char *name,
		     const char *what)
{
	if (opts->progress != NULL) {
		fprintf(opts->progress, " Container %s  %s\n", name, what);
		fflush(opts->progress);
	}
}

static size_t service_index(const struct compose_project *p, const char *name)
{
	for (size_t i = 0; i < p->n_services; i++) {
		if (strcmp(p->services[i].name, name) == 0)
			return i;
	}
	return p->n_services;
}

/* Mark service i and, recursively, what it depends on. */
static void select_service(const struct compose_project *p, size_t i,
			   bool *selected)
{
	const struct compose_service *s = &p->services[i];

	if (selected[i])
		return;
	selected[i] = true;
	for (size_t d = 0; d < s->n_depends_on; d++) {
		size_t j = service_index(p, s->depends_on[d].service);

		if (j < p->n_services)
			select_service(p, j, selected);
	}
}

int compose_selected_order(const struct compose_project *p, char **services,
			   size_t **ret_order, size_t *ret_n,
			   struct berth_error **err)
{
	_cleanup_free_ bool *selected = xcalloc(p->n_services + 1, 1);
	size_t *order = NULL;
	size_t n = 0;

	for (size_t i = 0; services != NULL && services[i] != NULL; i++) {
		size_t j = service_index(p, services[i]);

		if (j == p->n_services)
			return berth_error_set(err, 0, "no such service: '%s'",
					       services[i]);
		select_service(p, j, selected);
	}
	if (compose_start_order(p, &order, err) < 0)
		return -1;
	for (size_t i = 0; i < p->n_services; i++) {
		const struct compose_service *s = &p->services[order[i]];

		if (services == NULL ? !s->disabled : selected[order[i]])
			order[n++] = order[i];
	}
	*ret_order = order;
	*ret_n = n;
	return 0;
}

/* A network or volume that must exist before "up" creates anything. */
static int external_missing(const char *kind, const char *name,
			    struct berth_error **err)
{
	return berth_error_set(err, 0,
			       "%s '%s' is external but does not exist: "
			       "create it first",
			       kind, name);
}

static int externals_check(struct engine *engine,
			   const struct compose_project *p,
			   struct berth_error **err)
{
	for (size_t i = 0; i < p->n_networks; i++) {
		const struct compose_network *net = &p->networks[i];

		if (net->external &&
		    !net_network_exists(engine->root, net->name))
			return external_missing("network", net->name, err);
	}
	for (size_t i = 0; i < p->n_volumes; i++) {
		const struct compose_volume *v = &p->volumes[i];

		if (v->external && !volume_exists(engine, v->name))
			return external_missing("volume", v->name, err);
	}
	return 0;
}

/*
 * Create the network unless it exists. *made is set when this call
 * created it.
 */
static int network_create(struct engine *engine,
			  const struct compose_project *p,
			  const struct compose_network *net, bool *made,
			  struct berth_error **err)
{
	struct net_create_options o = {.name = net->name,
				       .internal = net->internal};
	_cleanup_strv_ char **labels = strv_copy(net->labels);
	struct net_network *created = NULL;
	char *label;

	*made = false;
	if (net->external || net_network_exists(engine->root, net->name))
		return 0;
	xasprintf(&label, COMPOSE_LABEL_PROJECT "=%s", p->name);
	strv_push_take(&labels, label);
	xasprintf(&label, "com.docker.compose.network=%s", net->key);
	strv_push_take(&labels, label);
	o.labels = labels;
	if (net->n_ipam > 0) {
		o.subnet = net->ipam[0].subnet;
		o.gateway = net->ipam[0].gateway;
	}
	if (net_network_create(engine->root, &o, &created, err) < 0)
		return berth_error_wrap(err, "network '%s'", net->key);
	net_network_free(created);
	*made = true;
	return 0;
}

static int volume_make(struct engine *engine, const struct compose_project *p,
		       const struct compose_volume *v, bool *made,
		       struct berth_error **err)
{
	_cleanup_strv_ char **labels = strv_copy(v->labels);
	struct volume *created = NULL;
	char *label;

	*made = false;
	if (v->external || volume_exists(engine, v->name))
		return 0;
	xasprintf(&label, COMPOSE_LABEL_PROJECT "=%s", p->name);
	strv_push_take(&labels, label);
	xasprintf(&label, "com.docker.compose.volume=%s", v->key);
	strv_push_take(&labels, label);
	if (volume_create(engine, v->name, labels, false, &created, NULL, err) <
	    0)
		return berth_error_wrap(err, "volume '%s'", v->key);
	volume_free(created);
	*made = true;
	return 0;
}

/*
 * Remove what a failed compose_resources_create() made. Errors here are
 * dropped, because the caller reports the one that stopped the create.
 */
static void resources_undo(struct engine *engine,
			   const struct compose_project *p,
			   const bool *net_made, const bool *vol_made)
{
	for (size_t i = 0; i < p->n_networks; i++) {
		struct berth_error *err = NULL;

		if (net_made[i] &&
		    net_network_remove(engine->root, p->networks[i].name,
				       &err) < 0)
			berth_error_free(&err);
	}
	for (size_t i = 0; i < p->n_volumes; i++) {
		struct berth_error *err = NULL;

		if (vol_made[i] &&
		    volume_remove(engine, p->volumes[i].name, &err) < 0)
			berth_error_free(&err);
	}
}

int compose_resources_create(struct engine *engine,
			     const struct compose_project *p,
			     struct berth_error **err)
{
	_cleanup_free_ bool *net_made = xcalloc(p->n_networks + 1, 1);
	_cleanup_free_ bool *vol_made = xcalloc(p->n_volumes + 1, 1);
	int r;

	r = externals_check(engine, p, err);
	for (size_t i = 0; r == 0 && i < p->n_networks; i++)
		r = network_create(engine, p, &p->networks[i], &net_made[i],
				   err);
	for (size_t i = 0; r == 0 && i < p->n_volumes; i++)
		r = volume_make(engine, p, &p->volumes[i], &vol_made[i], err);
	if (r < 0)
		resources_undo(engine, p, net_made, vol_made);
	return r;
}

/* The id of the service's (not one-off) container, or NULL. */
static int service_container(struct engine *engine,
			     const struct compose_project *p, const char *name,
			     char **ret_id, struct berth_error **err)
{
	struct compose_container *list = NULL;
	size_t n = 0;

	*ret_id = NULL;
	if (compose_containers_find(engine, p->name, name, &list, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n && *ret_id == NULL; i++) {
		if (!list[i].oneoff)
			*ret_id = xstrdup(list[i].id);
	}
	compose_containers_free(list, n);
	return 0;
}

/*
 * As docker compose, wait as long as the check takes: it ends at
 * "healthy" or, after its retries, at "unhealthy", and each try is
 * bounded by the check's own timeout.
 */
#define DEPENDENCY_HEALTHY_TIMEOUT_MS (-1)

static int wait_completed(struct engine *engine, const char *dep,
			  const char *id, struct berth_error **err)
{
	int code = 0;

	if (engine_container_wait(engine, id, &code, err) < 0)
		return -1;
	if (code != 0)
		return berth_error_set(err, 0,
				       "dependency '%s' exited with status %d",
				       dep, code);
	return 0;
}

static int wait_dependency(struct engine *engine,
			   const struct compose_project *p,
			   const struct compose_service *s,
			   const struct compose_dependency *d,
			   struct berth_error **err)
{
	_cleanup_free_ char *id = NULL;

	if (service_container(engine, p, d->service, &id, err) < 0)
		return -1;
	if (id == NULL) {
		if (!d->required)
			return 0;
		return berth_error_set(
			err, 0, "dependency '%s' has no container", d->service);
	}

	switch (d->condition) {
	case COMPOSE_SERVICE_COMPLETED_SUCCESSFULLY:
		return wait_completed(engine, d->service, id, err);
	case COMPOSE_SERVICE_HEALTHY:
		if (engine_container_wait_healthy(
			    engine, id, DEPENDENCY_HEALTHY_TIMEOUT_MS, err) < 0)
			return berth_error_wrap(err,
						"service '%s': dependency '%s' "
						"did not become healthy",
						s->name, d->service);
		return 0;
	case COMPOSE_SERVICE_STARTED:
	default:
		return 0;
	}
}

/* Set *ret_id to the image's id, or NULL when it is not in the store. */
static int image_find(struct engine *engine, const char *image, char **ret_id,
		      struct berth_error **err)
{
	struct image_store *store = NULL;
	struct image_info *info = NULL;
	int r;

	*ret_id = NULL;
	if (image_store_open(engine->root, &store, err) < 0)
		return -1;
	r = image_store_find(store, image, &info, err);
	image_store_close(store);
	if (info != NULL)
		*ret_id = xstrdup(info->id);
	image_info_free(info);
	return r;
}

/* Build or find the service's image and return its id. */
static int ensure_image(struct engine *engine, const struct compose_project *p,
			const struct compose_service *s,
			const struct compose_up_options *opts, char **ret_id,
			struct berth_error **err)
{
	_cleanup_free_ char *image = compose_service_image(p, s);

	if (image_find(engine, image, ret_id, err) < 0)
		return -1;
	if (s->build != NULL && (opts->build || *ret_id == NULL)) {
		free(*ret_id);
		*ret_id = NULL;
		if (opts->build_fn == NULL)
			return berth_error_set(err, 0, "cannot build '%s' here",
					       image);
		if (opts->build_fn(opts->build_data, p, s, image, err) < 0 ||
		    image_find(engine, image, ret_id, err) < 0)
			return -1;
	}
	if (*ret_id == NULL && s->build == NULL && opts->pull_fn != NULL) {
		if (opts->pull_fn(opts->build_data, p, s, image, err) < 0)
			return -1;
		if (image_find(engine, image, ret_id, err) < 0)
			return -1;
	}
	if (*ret_id == NULL)
		return berth_error_set(
			err, 0,
			"image '%s' is not in the store: pull or "
			"import it first",
			image);
	return 0;
}

/*
 * Create the service's container, or with ret_id NULL only run the
 * checks of a create, before any container of the project exists.
 */
static int container_create(struct engine *engine,
			    const struct compose_project *p,
			    const struct compose_service *s, char **ret_id,
			    struct berth_error **err)
{
	struct engine_create_options o;
	_cleanup_strv_ char **owned = NULL;
	int r;

	r = compose_create_options(p, s, false, &o, &owned, err);
	if (r == 0 && ret_id == NULL)
		r = engine_container_check(engine, &o, err);
	else if (r == 0)
		r = engine_container_create(engine, &o, ret_id, err);
	compose_create_options_clear(&o);
	return r;
}

static int container_replace(struct engine *engine, const char *id,
			     struct berth_error **err)
{
	if (engine_container_stop(engine, id, 0, -1, err) < 0)
		return -1;
	return volume_container_remove(engine, id, true, true, err);
}

/*
 * Keep a container made from the same configuration and image; replace
 * one made from another.
 */
static int service_container_ready(struct engine *engine,
				   const struct compose_project *p,
				   const struct compose_service *s,
				   const struct compose_up_options *opts,
				   const char *image_id, char **ret_id,
				   struct berth_error **err)
{
	_cleanup_free_ char *hash = compose_service_hash(p, s);
	_cleanup_free_ char *name = compose_container_name(p, s);
	struct compose_container *list = NULL;
	const char *what = "Created";
	size_t n = 0;
	int r = 0;

	*ret_id = NULL;
	if (compose_containers_find(engine, p->name, s->name, &list, &n, err) <
	    0)
		return -1;
	for (size_t i = 0; i < n && r == 0; i++) {
		if (list[i].oneoff)
			continue;
		if (*ret_id == NULL && !opts->force_recreate &&
		    strcmp(list[i].hash, hash) == 0 &&
		    strcmp(list[i].image_id, image_id) == 0) {
			*ret_id = xstrdup(list[i].id);
			continue;
		}
		r = container_replace(engine, list[i].id, err);
		what = "Recreated";
	}
	compose_containers_free(list, n);
	if (r < 0 || *ret_id != NULL)
		return r;

	if (container_create(engine, p, s, ret_id, err) < 0)
		return -1;
	progress(opts, name, what);
	return 0;
}

static int container_start(struct engine *engine, const char *name,
			   const char *id,
			   const struct compose_up_options *opts,
			   struct berth_error **err)
{
	struct container_state state;

	if (container_state_get(engine, id, &state, err) < 0)
		return -1;
	if (state.status == CONTAINER_STATUS_RUNNING) {
		progress(opts, name, "Running");
		return 0;
	}
	if (engine_container_start(engine, id, err) < 0)
		return -1;
	progress(opts, name, "Started");
	return 0;
}

static int service_up(struct engine *engine, const struct compose_project *p,
		      const struct compose_service *s, const char *image_id,
		      const struct compose_up_options *opts, char **ret_id,
		      struct berth_error **err)
{
	_cleanup_free_ char *name = compose_container_name(p, s);
	_cleanup_free_ char *id = NULL;

	for (size_t i = 0; i < s->n_depends_on; i++) {
		if (wait_dependency(engine, p, s, &s->depends_on[i], err) < 0)
			return -1;
	}

	if (service_container_ready(engine, p, s, opts, image_id, &id, err) < 0)
		return -1;

	if (container_start(engine, name, id, opts, err) < 0)
		return -1;
	*ret_id = xstrdup(id);
	return 0;
}

/*
 * A container that is not the service's own but has its name would make
 * the create fail once other services run.
 */
static int name_check(struct engine *engine, const struct compose_project *p,
		      const struct compose_service *s, struct berth_error **err)
{
	_cleanup_free_ char *name = compose_container_name(p, s);
	_cleanup_free_ char *holder = NULL;
	struct compose_container *list = NULL;
	bool own = false;
	size_t n = 0;

	if (container_name_find(engine, name, &holder, err) < 0)
		return -1;
	if (holder == NULL)
		return 0;
	if (compose_containers_find(engine, p->name, s->name, &list, &n, err) <
	    0)
		return -1;
	for (size_t i = 0; i < n; i++)
		own = own ||
		      (!list[i].oneoff && strcmp(list[i].id, holder) == 0);
	compose_containers_free(list, n);
	if (own)
		return 0;
	return berth_error_set(err, EEXIST,
			       "the container name '%s' is already in use by "
			       "container '%s': remove or rename that "
			       "container, or set another container_name",
			       name, holder);
}

/*
 * What can fail without a running dependency fails before "up" creates
 * anything, as in docker compose: every image is built or pulled and
 * every service's options are checked first.
 */
static int services_prepare(struct engine *engine,
			    const struct compose_project *p,
			    const size_t *order, size_t n,
			    const struct compose_up_options *opts,
			    char ***ret_image_ids, struct berth_error **err)
{
	char **image_ids = xcalloc(n + 1, sizeof(*image_ids));

	for (size_t i = 0; i < n; i++) {
		const struct compose_service *s = &p->services[order[i]];

		if (name_check(engine, p, s, err) < 0 ||
		    ensure_image(engine, p, s, opts, &image_ids[i], err) < 0 ||
		    container_create(engine, p, s, NULL, err) < 0) {
			strv_free(image_ids);
			return berth_error_wrap(err, "service '%s'", s->name);
		}
	}
	*ret_image_ids = image_ids;
	return 0;
}

int compose_up(struct engine *engine, const struct compose_project *p,
	       const struct compose_up_options *opts, char ***ret_ids,
	       struct berth_error **err)
{
	_cleanup_free_ size_t *order = NULL;
	_cleanup_strv_ char **image_ids = NULL;
	char **ids = NULL;
	size_t n = 0;

	if (compose_selected_order(p, opts->services, &order, &n, err) < 0 ||
	    services_prepare(engine, p, order, n, opts, &image_ids, err) < 0 ||
	    compose_resources_create(engine, p, err) < 0)
		return -1;

	for (size_t i = 0; i < n; i++) {
		const struct compose_service *s = &p->services[order[i]];
		char *id = NULL;

		if (service_up(engine, p, s, image_ids[i], opts, &id, err) <
		    0) {
			strv_free(ids);
			return berth_error_wrap(err, "service '%s'", s->name);
		}
		strv_push_take(&ids, id);
	}
	if (ret_ids != NULL)
		*ret_ids = ids;
	else
		strv_free(ids);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_COMPOSE_ORCHESTRATE_H
#define BERTH_COMPOSE_ORCHESTRATE_H

/*
 * Running a Compose project (src/compose/compose.h) on the engine.
 *
 * A project's containers are found by their labels, as docker compose
 * finds them: com.docker.compose.project, .service, .container-number
 * and .config-hash, the sha256 of the service's canonical configuration.
 * A container whose hash differs from the files' is out of date and "up"
 * replaces it. Networks and named volumes are called PROJECT_KEY unless
 * the files name them.
 */

#include <stdbool.h>
#include <stddef.h>

#include "compose/compose.h"
#include "engine/engine.h"
#include "util/error.h"

#define COMPOSE_LABEL_PROJECT "com.docker.compose.project"
#define COMPOSE_LABEL_SERVICE "com.docker.compose.service"
#define COMPOSE_LABEL_NUMBER "com.docker.compose.container-number"
#define COMPOSE_LABEL_HASH "com.docker.compose.config-hash"
#define COMPOSE_LABEL_ONEOFF "com.docker.compose.oneoff"

struct compose_container {
	char *id;
	char *name;
	char *service;
	char *hash;
	char *image_id; /* hex sha256 of the image config it was made from */
	bool oneoff;	/* made by "compose run" */
};

/*
 * Return the containers of project, of service only unless NULL, in the
 * order of the store (oldest first).
 */
int compose_containers_find(struct engine *engine, const char *project,
			    const char *service, struct compose_container **ret,
			    size_t *ret_n, struct berth_error **err);
void compose_containers_free(struct compose_container *c, size_t n);

/* The sha256 hex of the service's canonical configuration. */
char *compose_service_hash(const struct compose_project *p,
			   const struct compose_service *s);

/* The image a service runs: image:, else PROJECT-SERVICE for a build. */
char *compose_service_image(const struct compose_project *p,
			    const struct compose_service *s);

/* The container name: container_name, else PROJECT-SERVICE-1. */
char *compose_container_name(const struct compose_project *p,
			     const struct compose_service *s);

/*
 * Fill opts for the service's container. The vectors and strings are
 * kept in *owned (free with strv_free) so that opts can point at them.
 */
int compose_create_options(const struct compose_project *p,
			   const struct compose_service *s, bool oneoff,
			   struct engine_create_options *opts, char ***owned,
			   struct berth_error **err);

/* Free the vectors that compose_create_options() made in opts. */
void compose_create_options_clear(struct engine_create_options *opts);

/*
 * Build (tag is the image to make) or pull (tag is the image to get) the
 * image of a service; the caller of up supplies them.
 */
typedef int (*compose_image_fn)(void *data, const struct compose_project *p,
				const struct compose_service *s,
				const char *tag, struct berth_error **err);

struct compose_up_options {
	char **services; /* NULL: all; else these and their dependencies */
	bool build;	 /* build even when the image exists */
	bool force_recreate;
	compose_image_fn build_fn;
	compose_image_fn pull_fn; /* NULL: a missing image is an error */
	void *build_data;	  /* the data of build_fn and pull_fn */
	FILE *progress; /* "Container NAME Started" lines, NULL = none */
};

/*
 * Create the project's networks and volumes, then create (or keep, or
 * replace) and start each service's container in dependency order,
 * waiting for the conditions of depends_on. Returns the ids started in
 * *ret_ids (may be NULL).
 */
int compose_up(struct engine *engine, const struct compose_project *p,
	       const struct compose_up_options *opts, char ***ret_ids,
	       struct berth_error **err);

/*
 * The services named, with what they depend on, in start order. Without
 * names, the services that no inactive profile disables.
 */
int compose_selected_order(const struct compose_project *p, char **services,
			   size_t **ret_order, size_t *ret_n,
			   struct berth_error **err);

/* Create the networks and named volumes that are not external. */
int compose_resources_create(struct engine *engine,
			     const struct compose_project *p,
			     struct berth_error **err);

/*
 * Stop and remove the project's containers (anonymous volumes too),
 * then its networks and, with volumes, its named volumes.
 */
int compose_down(struct engine *engine, const struct compose_project *p,
		 bool volumes, FILE *progress, struct berth_error **err);

#endif

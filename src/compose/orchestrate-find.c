/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lookup of a Compose project's containers by their labels, and the
 * names and configuration hash that "up" gives them.
 */
#include <string.h>

#include "compose/orchestrate.h"
#include "engine/container-config.h"
#include "engine/container-store.h"
#include "image/digest.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* The value of label key in "K=V" labels, or NULL. */
static const char *label_value(char *const *labels, const char *key)
{
	size_t len = strlen(key);

	for (size_t i = 0; labels != NULL && labels[i] != NULL; i++) {
		if (strncmp(labels[i], key, len) == 0 && labels[i][len] == '=')
			return labels[i] + len + 1;
	}
	return NULL;
}

static void container_add(struct compose_container **list, size_t *n,
			  const struct container_config *config)
{
	const char *hash = label_value(config->labels, COMPOSE_LABEL_HASH);
	const char *oneoff = label_value(config->labels, COMPOSE_LABEL_ONEOFF);
	struct compose_container *c;

	*list = xreallocarray(*list, *n + 1, sizeof(**list));
	c = &(*list)[(*n)++];
	c->id = xstrdup(config->id);
	c->name = xstrdup(config->name);
	c->service =
		xstrdup(label_value(config->labels, COMPOSE_LABEL_SERVICE));
	c->hash = xstrdup(hash != NULL ? hash : "");
	c->image_id = xstrdup(config->image_id ? config->image_id : "");
	c->oneoff = oneoff != NULL && strcmp(oneoff, "True") == 0;
}

static bool config_matches(const struct container_config *config,
			   const char *project, const char *service)
{
	const char *p = label_value(config->labels, COMPOSE_LABEL_PROJECT);
	const char *s = label_value(config->labels, COMPOSE_LABEL_SERVICE);

	if (p == NULL || s == NULL || strcmp(p, project) != 0)
		return false;
	return service == NULL || strcmp(s, service) == 0;
}

int compose_containers_find(struct engine *engine, const char *project,
			    const char *service, struct compose_container **ret,
			    size_t *ret_n, struct berth_error **err)
{
	_cleanup_strv_ char **ids = NULL;
	struct compose_container *list = NULL;
	size_t n = 0;

	if (engine_container_list(engine, &ids, err) < 0)
		return -1;

	for (size_t i = 0; ids != NULL && ids[i] != NULL; i++) {
		_cleanup_free_ char *dir = container_dir(engine, ids[i]);
		_cleanup_container_config_ struct container_config *config =
			NULL;
		_cleanup_error_ struct berth_error *load_err = NULL;

		/* A container removed meanwhile is skipped. */
		if (container_config_load(dir, &config, &load_err) < 0)
			continue;
		if (config_matches(config, project, service))
			container_add(&list, &n, config);
	}
	*ret = list;
	*ret_n = n;
	return 0;
}

void compose_containers_free(struct compose_container *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].id);
		free(c[i].name);
		free(c[i].service);
		free(c[i].hash);
		free(c[i].image_id);
	}
	free(c);
}

char *compose_service_hash(const struct compose_project *p,
			   const struct compose_service *s)
{
	json_t *services = json_object_get(p->config, "services");
	json_t *service = json_object_get(services, s->name);
	_cleanup_free_ char *text = NULL;
	char digest[DIGEST_STRING_SIZE];

	text = json_dumps(service, JSON_SORT_KEYS | JSON_COMPACT);
	if (text == NULL)
		text = xstrdup("");
	digest_buffer(text, strlen(text), digest);
	return xstrdup(digest + strlen(DIGEST_PREFIX));
}

char *compose_service_image(const struct compose_project *p,
			    const struct compose_service *s)
{
	char *image;

	if (s->image != NULL)
		return xstrdup(s->image);
	xasprintf(&image, "%s-%s", p->name, s->name);
	return image;
}

char *compose_container_name(const struct compose_project *p,
			     const struct compose_service *s)
{
	char *name;

	if (s->container_name != NULL)
		return xstrdup(s->container_name);
	xasprintf(&name, "%s-%s-1", p->name, s->name);
	return name;
}

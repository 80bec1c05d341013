/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "build/strbuf.h"
#include "compose/compose.h"
#include "compose/model-internal.h"
#include "engine/container-store.h"
#include "runtime/spec.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

static long service_index(const struct compose_project *p, const char *name)
{
	for (size_t i = 0; i < p->n_services; i++) {
		if (strcmp(p->services[i].name, name) == 0)
			return (long)i;
	}
	return -1;
}

static bool has_network(const struct compose_project *p, const char *key)
{
	for (size_t i = 0; i < p->n_networks; i++) {
		if (strcmp(p->networks[i].key, key) == 0)
			return true;
	}
	return false;
}

static bool has_volume(const struct compose_project *p, const char *key)
{
	for (size_t i = 0; i < p->n_volumes; i++) {
		if (strcmp(p->volumes[i].key, key) == 0)
			return true;
	}
	return false;
}

/* Service names become parts of container and host names. */
static bool valid_service_name(const char *name)
{
	if (!isalnum((unsigned char)name[0]))
		return false;
	for (const char *c = name; *c != '\0'; c++) {
		if (!isalnum((unsigned char)*c) && strchr("_.-", *c) == NULL)
			return false;
	}
	return true;
}

/*
 * The engine checks capability names only when it creates the
 * container, so checking them here makes "up" fail before it creates
 * anything.
 */
static int validate_caps(const struct compose_service *s, char *const *caps,
			 const char *key, struct berth_error **err)
{
	for (size_t i = 0; caps != NULL && caps[i] != NULL; i++) {
		if (strcasecmp(caps[i], "ALL") != 0 &&
		    spec_capability_from_name(caps[i]) < 0)
			return berth_error_set(err, 0,
					       "services.%s.%s[%zu]: unknown "
					       "capability '%s'",
					       s->name, key, i, caps[i]);
	}
	return 0;
}

static bool is_ip_address(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, buf) == 1 ||
	       inet_pton(AF_INET6, s, buf) == 1;
}

/* dns and extra_hosts hold addresses, which the engine reads only later. */
static int validate_addresses(const struct compose_service *s,
			      struct berth_error **err)
{
	for (size_t i = 0; s->dns != NULL && s->dns[i] != NULL; i++) {
		if (!is_ip_address(s->dns[i]))
			return berth_error_set(err, 0,
					       "services.%s.dns[%zu]: invalid "
					       "IP address '%s'",
					       s->name, i, s->dns[i]);
	}
	for (size_t i = 0; s->extra_hosts != NULL && s->extra_hosts[i] != NULL;
	     i++) {
		const char *eq = strchr(s->extra_hosts[i], '=');

		if (eq != NULL && !is_ip_address(eq + 1) &&
		    strcmp(eq + 1, "host-gateway") != 0)
			return berth_error_set(err, 0,
					       "services.%s.extra_hosts[%zu]: "
					       "invalid IP address '%s'",
					       s->name, i, eq + 1);
	}
	return 0;
}

/*
 * Check network_mode: none, host, bridge, service:SERVICE or
 * container:NAME, and no networks next to it.
 */
static int validate_network_mode(const struct compose_project *p,
				 const struct compose_service *s,
				 struct berth_error **err)
{
	const char *mode = s->network_mode;
	const char *target;

	if (mode == NULL)
		return 0;
	if (s->n_networks > 0)
		return berth_error_set(err, 0,
				       "services.%s: network_mode and networks "
				       "cannot both be set: remove one",
				       s->name);

	if (strcmp(mode, "none") == 0 || strcmp(mode, "host") == 0 ||
	    strcmp(mode, "bridge") == 0)
		return 0;
	if (strncmp(mode, "container:", 10) == 0 && mode[10] != '\0')
		return 0;
	if (strncmp(mode, "service:", 8) != 0)
		return berth_error_set(err, 0,
				       "services.%s.network_mode: invalid "
				       "value '%s': use none, host, bridge, "
				       "service:NAME or container:NAME",
				       s->name, mode);

	target = mode + 8;
	if (service_index(p, target) < 0)
		return berth_error_set(err, 0,
				       "services.%s.network_mode: undefined "
				       "service '%s'",
				       s->name, target);
	if (strcmp(target, s->name) == 0)
		return berth_error_set(err, 0,
				       "services.%s.network_mode: a service "
				       "cannot share its own network",
				       s->name);
	return 0;
}

static int validate_service(const struct compose_project *p,
			    const struct compose_service *s,
			    struct berth_error **err)
{
	if (!valid_service_name(s->name))
		return berth_error_set(err, 0,
				       "services.%s: invalid service name: use "
				       "letters, digits, '_', '.' and '-', "
				       "starting with a letter or digit",
				       s->name);
	if (s->image == NULL && s->build == NULL)
		return berth_error_set(err, 0,
				       "services.%s: neither image nor build "
				       "is set: add one of them",
				       s->name);

	if (s->container_name != NULL &&
	    container_name_validate(s->container_name, err) < 0)
		return berth_error_wrap(err, "services.%s.container_name",
					s->name);
	for (const struct compose_service *o = p->services; o < s; o++) {
		if (s->container_name != NULL && o->container_name != NULL &&
		    strcmp(s->container_name, o->container_name) == 0)
			return berth_error_set(err, 0,
					       "services.%s.container_name: "
					       "'%s' is the container name of "
					       "service '%s' too",
					       s->name, s->container_name,
					       o->name);
	}

	if (validate_caps(s, s->cap_add, "cap_add", err) < 0 ||
	    validate_caps(s, s->cap_drop, "cap_drop", err) < 0 ||
	    validate_addresses(s, err) < 0 ||
	    validate_network_mode(p, s, err) < 0)
		return -1;

	for (size_t i = 0; i < s->n_depends_on; i++) {
		const char *dep = s->depends_on[i].service;

		if (service_index(p, dep) < 0)
			return berth_error_set(err, 0,
					       "services.%s.depends_on: "
					       "undefined service '%s'",
					       s->name, dep);
		if (strcmp(dep, s->name) == 0)
			return berth_error_set(
				err, 0,
				"services.%s.depends_on: a "
				"service cannot depend on itself",
				s->name);
	}

	for (size_t i = 0; i < s->n_networks; i++) {
		if (!has_network(p, s->networks[i].name))
			return berth_error_set(err, 0,
					       "services.%s.networks: "
					       "undefined network '%s': "
					       "declare it under the top-level "
					       "networks",
					       s->name, s->networks[i].name);
	}

	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct compose_mount *m = &s->mounts[i];

		if (m->type == COMPOSE_MOUNT_VOLUME && m->source != NULL &&
		    !has_volume(p, m->source))
			return berth_error_set(err, 0,
					       "services.%s.volumes[%zu]: "
					       "undefined volume '%s': declare "
					       "it under the top-level volumes",
					       s->name, i, m->source);
	}
	return 0;
}

int model_validate(const struct compose_project *p, struct berth_error **err)
{
	_cleanup_free_ size_t *order = NULL;

	for (size_t i = 0; i < p->n_services; i++) {
		if (validate_service(p, &p->services[i], err) < 0)
			return -1;
	}
	return compose_start_order(p, &order, err);
}

enum visit { UNSEEN, ACTIVE, DONE };

struct walk {
	const struct compose_project *p;
	enum visit *state;
	size_t *stack; /* services on the current path */
	size_t depth;
	size_t *order;
	size_t n_order;
};

static int cycle_error(struct walk *w, size_t again, struct berth_error **err)
{
	struct strbuf sb = STRBUF_INIT;
	size_t start = 0;
	int r;

	while (w->stack[start] != again)
		start++;
	for (size_t i = start; i < w->depth; i++) {
		strbuf_append(&sb, w->p->services[w->stack[i]].name);
		strbuf_append(&sb, " -> ");
	}
	strbuf_append(&sb, w->p->services[again].name);
	r = berth_error_set(err, 0, "dependency cycle between services: %s",
			    strbuf_str(&sb));
	strbuf_release(&sb);
	return r;
}

/* Depth-first: a service is placed after everything it depends on. */
static int visit(struct walk *w, size_t i, struct berth_error **err)
{
	const struct compose_service *s = &w->p->services[i];

	if (w->state[i] == DONE)
		return 0;
	if (w->state[i] == ACTIVE)
		return cycle_error(w, i, err);

	w->state[i] = ACTIVE;
	w->stack[w->depth++] = i;
	for (size_t d = 0; d < s->n_depends_on; d++) {
		long dep = service_index(w->p, s->depends_on[d].service);

		/* Unknown services are reported by the validation. */
		if (dep < 0)
			continue;
		if (visit(w, (size_t)dep, err) < 0)
			return -1;
	}
	w->depth--;
	w->state[i] = DONE;
	w->order[w->n_order++] = i;
	return 0;
}

int compose_start_order(const struct compose_project *p, size_t **order,
			struct berth_error **err)
{
	_cleanup_free_ enum visit *state =
		xcalloc(p->n_services + 1, sizeof(*state));
	_cleanup_free_ size_t *stack =
		xcalloc(p->n_services + 1, sizeof(*stack));
	_cleanup_free_ size_t *result =
		xcalloc(p->n_services + 1, sizeof(*result));
	struct walk w = {
		.p = p,
		.state = state,
		.stack = stack,
		.order = result,
	};

	for (size_t i = 0; i < p->n_services; i++) {
		if (visit(&w, i, err) < 0)
			return -1;
	}
	*order = TAKE_PTR(result);
	return 0;
}

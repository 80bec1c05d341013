/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A Compose service's model as the create options of the engine. The
 * strings made here live in a vector the caller frees after the create.
 */
#include <stdlib.h>
#include <string.h>

#include "compose/orchestrate.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* Keep s alive in *owned and return it. */
static char *own(char ***owned, char *s)
{
	strv_push_take(owned, s);
	return s;
}

static const struct compose_volume *
project_volume(const struct compose_project *p, const char *key)
{
	for (size_t i = 0; i < p->n_volumes; i++) {
		if (strcmp(p->volumes[i].key, key) == 0)
			return &p->volumes[i];
	}
	return NULL;
}

static const struct compose_network *
project_network(const struct compose_project *p, const char *key)
{
	for (size_t i = 0; i < p->n_networks; i++) {
		if (strcmp(p->networks[i].key, key) == 0)
			return &p->networks[i];
	}
	return NULL;
}

/* A bind mount in -v syntax, which creates a missing source directory. */
static char *bind_volume_flag(const struct compose_mount *m)
{
	char *s;

	xasprintf(&s, "%s:%s:%s%s%s", m->source, m->target,
		  m->read_only ? "ro" : "rw", m->propagation ? "," : "",
		  m->propagation ? m->propagation : "");
	return s;
}

static char *mount_flag(const struct compose_project *p,
			const struct compose_mount *m)
{
	const struct compose_volume *v;
	const char *source;
	char *s;

	switch (m->type) {
	case COMPOSE_MOUNT_BIND:
		xasprintf(&s, "type=bind,source=%s,target=%s%s%s%s", m->source,
			  m->target, m->read_only ? ",readonly" : "",
			  m->propagation ? ",bind-propagation=" : "",
			  m->propagation ? m->propagation : "");
		return s;
	case COMPOSE_MOUNT_VOLUME:
		/* A source of no declared volume is a volume name as it is. */
		source = m->source;
		v = source != NULL ? project_volume(p, source) : NULL;
		if (v != NULL)
			source = v->name;
		xasprintf(&s, "type=volume%s%s,target=%s%s%s",
			  source ? ",source=" : "", source ? source : "",
			  m->target, m->read_only ? ",readonly" : "",
			  m->nocopy ? ",volume-nocopy" : "");
		return s;
	case COMPOSE_MOUNT_TMPFS:
	default:
		return NULL;
	}
}

static char *tmpfs_flag(const struct compose_mount *m)
{
	char *s;

	if (m->tmpfs_size >= 0 && m->tmpfs_mode >= 0)
		xasprintf(&s, "%s:size=%lld,mode=%llo", m->target,
			  m->tmpfs_size, (unsigned long long)m->tmpfs_mode);
	else if (m->tmpfs_size >= 0)
		xasprintf(&s, "%s:size=%lld", m->target, m->tmpfs_size);
	else if (m->tmpfs_mode >= 0)
		xasprintf(&s, "%s:mode=%llo", m->target,
			  (unsigned long long)m->tmpfs_mode);
	else
		s = xstrdup(m->target);
	return s;
}

static void set_mounts(const struct compose_project *p,
		       const struct compose_service *s,
		       struct engine_create_options *opts)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct compose_mount *m = &s->mounts[i];

		if (m->type == COMPOSE_MOUNT_TMPFS)
			strv_push_take(&opts->tmpfs, tmpfs_flag(m));
		else if (m->type == COMPOSE_MOUNT_BIND && m->create_host_path)
			strv_push_take(&opts->volumes, bind_volume_flag(m));
		else
			strv_push_take(&opts->mounts, mount_flag(p, m));
	}
	for (size_t i = 0; s->tmpfs != NULL && s->tmpfs[i] != NULL; i++)
		strv_push(&opts->tmpfs, s->tmpfs[i]);
}

/*
 * The entrypoint flag takes one word: the rest of a longer entrypoint
 * goes before the command, which is what the process runs either way.
 */
static void set_command(const struct compose_service *s,
			struct engine_create_options *opts)
{
	if (s->entrypoint != NULL) {
		opts->has_entrypoint = true;
		opts->entrypoint = s->entrypoint[0] ? s->entrypoint[0] : "";
		for (size_t i = 1; s->entrypoint[0] && s->entrypoint[i]; i++)
			strv_push(&opts->cmd, s->entrypoint[i]);
	}
	for (size_t i = 0; s->command != NULL && s->command[i] != NULL; i++)
		strv_push(&opts->cmd, s->command[i]);
	if (s->command != NULL && opts->cmd == NULL)
		opts->cmd = xcalloc(1, sizeof(char *));
}

static void set_labels(const struct compose_project *p,
		       const struct compose_service *s, bool oneoff,
		       struct engine_create_options *opts)
{
	char *hash = compose_service_hash(p, s);
	char *label;

	opts->labels = strv_copy(s->labels);
	xasprintf(&label, COMPOSE_LABEL_PROJECT "=%s", p->name);
	strv_push_take(&opts->labels, label);
	xasprintf(&label, COMPOSE_LABEL_SERVICE "=%s", s->name);
	strv_push_take(&opts->labels, label);
	strv_push(&opts->labels, COMPOSE_LABEL_NUMBER "=1");
	xasprintf(&label, COMPOSE_LABEL_HASH "=%s", hash);
	strv_push_take(&opts->labels, label);
	strv_push(&opts->labels, oneoff ? COMPOSE_LABEL_ONEOFF "=True" :
					  COMPOSE_LABEL_ONEOFF "=False");
	free(hash);
}

/* Return the service's name and its aliases on one of its networks. */
static char **network_aliases(const struct compose_service *s,
			      const struct compose_service_network *sn)
{
	char **aliases = NULL;

	strv_push(&aliases, s->name);
	for (size_t i = 0; sn->aliases != NULL && sn->aliases[i]; i++)
		strv_push(&aliases, sn->aliases[i]);
	return aliases;
}

static const char *network_name(const struct compose_project *p,
				const struct compose_service_network *sn)
{
	const struct compose_network *net = project_network(p, sn->name);

	return net != NULL ? net->name : sn->name;
}

/*
 * The container joins every network of the service, the first as its
 * main one. Peers find it by its service name and its aliases there.
 */
/*
 * Map network_mode, which replaces networks. "service:NAME" shares the
 * network of that service's container, and the other values go to the
 * engine unchanged.
 */
static void set_network_mode(const struct compose_project *p,
			     const struct compose_service *s,
			     struct engine_create_options *opts, char ***owned)
{
	const struct compose_service *target;
	_cleanup_free_ char *name = NULL;
	char *mode;

	if (strncmp(s->network_mode, "service:", 8) != 0) {
		opts->network = s->network_mode;
		return;
	}

	target = compose_project_service(p, s->network_mode + 8);
	if (target == NULL) {
		opts->network = s->network_mode; /* rejected by the engine */
		return;
	}
	name = compose_container_name(p, target);
	xasprintf(&mode, "container:%s", name);
	opts->network = own(owned, mode);
}

static void set_network(const struct compose_project *p,
			const struct compose_service *s,
			struct engine_create_options *opts, char ***owned)
{
	if (s->network_mode != NULL) {
		set_network_mode(p, s, opts, owned);
		return;
	}
	if (s->n_networks == 0)
		return;

	opts->network = network_name(p, &s->networks[0]);
	opts->ip = s->networks[0].ipv4_address;
	opts->network_aliases = network_aliases(s, &s->networks[0]);

	opts->n_more_networks = s->n_networks - 1;
	opts->more_networks =
		xcalloc(opts->n_more_networks, sizeof(*opts->more_networks));
	for (size_t i = 1; i < s->n_networks; i++) {
		struct engine_endpoint_options *o = &opts->more_networks[i - 1];

		o->network = network_name(p, &s->networks[i]);
		o->ip = s->networks[i].ipv4_address;
		o->aliases = network_aliases(s, &s->networks[i]);
	}
}

static void set_hosts(const struct compose_service *s,
		      struct engine_create_options *opts)
{
	for (size_t i = 0; s->extra_hosts != NULL && s->extra_hosts[i]; i++) {
		char *line = xstrdup(s->extra_hosts[i]);
		char *eq = strchr(line, '=');

		if (eq != NULL)
			*eq = ':';
		strv_push_take(&opts->add_hosts, line);
	}
	opts->dns = strv_copy(s->dns);
	opts->dns_search = strv_copy(s->dns_search);
	opts->dns_options = strv_copy(s->dns_opt);
}

/* Each port in -p syntax: "[IP:][PUBLISHED]:TARGET/PROTO". */
static void set_ports(const struct compose_service *s,
		      struct engine_create_options *opts)
{
	for (size_t i = 0; i < s->n_ports; i++) {
		const struct compose_port *port = &s->ports[i];
		char *flag;

		xasprintf(&flag, "%s%s%s:%u/%s",
			  port->host_ip != NULL ? port->host_ip : "",
			  port->host_ip != NULL ? ":" : "",
			  port->published != NULL ? port->published : "",
			  port->target,
			  port->protocol != NULL ? port->protocol : "tcp");
		strv_push_take(&opts->publish, flag);
	}
}

/* Append word to a shell command line, quoted for /bin/sh. */
static void shell_append_quoted(char **line, const char *word)
{
	size_t len = strlen(*line);
	char *out = xmalloc(len + 4 * strlen(word) + 4);
	char *o = out + len;

	memcpy(out, *line, len);
	if (len > 0)
		*o++ = ' ';
	*o++ = '\'';
	for (const char *w = word; *w != '\0'; w++) {
		if (*w == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *w;
		}
	}
	*o++ = '\'';
	*o = '\0';
	free(*line);
	*line = out;
}

/*
 * The engine runs a check with /bin/sh -c, so the exec form ["CMD",
 * ...] becomes a quoted command line.
 */
static void set_healthcheck(const struct compose_service *s,
			    struct engine_create_options *opts, char ***owned)
{
	const struct compose_healthcheck *h = &s->healthcheck;

	if (!h->set)
		return;
	if (h->disable || (h->test != NULL && h->test[0] != NULL &&
			   strcmp(h->test[0], "NONE") == 0)) {
		opts->no_healthcheck = true;
		return;
	}

	if (h->test != NULL && h->test[0] != NULL && h->test[1] != NULL) {
		if (strcmp(h->test[0], "CMD-SHELL") == 0) {
			opts->health_cmd = h->test[1];
		} else {
			char *line = xstrdup("");

			for (size_t i = 1; h->test[i] != NULL; i++)
				shell_append_quoted(&line, h->test[i]);
			opts->health_cmd = own(owned, line);
		}
	}
	if (h->interval > 0)
		opts->health_interval_ns = h->interval;
	if (h->timeout > 0)
		opts->health_timeout_ns = h->timeout;
	if (h->start_period > 0)
		opts->health_start_period_ns = h->start_period;
	if (h->retries > 0)
		opts->health_retries = h->retries;
}

int compose_create_options(const struct compose_project *p,
			   const struct compose_service *s, bool oneoff,
			   struct engine_create_options *opts, char ***owned,
			   struct berth_error **err)
{
	engine_create_options_init(opts);
	opts->image = own(owned, compose_service_image(p, s));
	if (!oneoff)
		opts->name = own(owned, compose_container_name(p, s));
	set_command(s, opts);
	opts->env = strv_copy(s->environment);
	opts->user = s->user;
	opts->workdir = s->working_dir;
	opts->hostname = s->hostname;
	opts->cgroup_parent = s->cgroup_parent != NULL ?
				      s->cgroup_parent :
				      getenv("BERTH_CGROUP_PARENT");
	opts->read_only = s->read_only;
	opts->init = s->init;
	opts->cap_add = strv_copy(s->cap_add);
	opts->cap_drop = strv_copy(s->cap_drop);
	opts->stop_signal = s->stop_signal;
	if (s->stop_grace_period >= 0)
		opts->stop_timeout = s->stop_grace_period / 1000000000LL;
	if (s->mem_limit >= 0)
		opts->memory = s->mem_limit;
	if (s->cpus > 0)
		opts->cpu_quota = (int64_t)(s->cpus * 100000.0);
	if (s->pids_limit > 0)
		opts->pids_limit = s->pids_limit;
	set_labels(p, s, oneoff, opts);
	set_mounts(p, s, opts);
	set_network(p, s, opts, owned);
	set_hosts(s, opts);
	set_ports(s, opts);
	set_healthcheck(s, opts, owned);
	/* "berth compose run" containers are one-offs, as in Compose. */
	if (!oneoff && s->restart != NULL && strcmp(s->restart, "no") != 0)
		opts->restart = s->restart;
	(void)err;
	return 0;
}

/* Free the vectors that compose_create_options() made. */
void compose_create_options_clear(struct engine_create_options *opts)
{
	strv_free(opts->cmd);
	strv_free(opts->env);
	strv_free(opts->cap_add);
	strv_free(opts->cap_drop);
	strv_free(opts->labels);
	strv_free(opts->tmpfs);
	strv_free(opts->volumes);
	strv_free(opts->mounts);
	strv_free(opts->network_aliases);
	for (size_t i = 0; i < opts->n_more_networks; i++)
		strv_free(opts->more_networks[i].aliases);
	free(opts->more_networks);
	strv_free(opts->add_hosts);
	strv_free(opts->dns);
	strv_free(opts->dns_search);
	strv_free(opts->dns_options);
	strv_free(opts->publish);
}

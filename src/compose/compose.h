/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_COMPOSE_COMPOSE_H
#define BERTH_COMPOSE_COMPOSE_H

/*
 * The typed model of a Compose project: what "berth compose" reads from
 * the Compose files after interpolation, merging and normalization. The
 * orchestration reads only this model; the canonical JSON it was built
 * from is kept for "berth compose config".
 *
 * Lists of KEY=VALUE strings (environment, labels, build args) follow
 * the layout that the engine takes. Durations are in nanoseconds, sizes
 * in bytes; -1 marks a value that the files did not set.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/error.h"

enum compose_condition {
	COMPOSE_SERVICE_STARTED,
	COMPOSE_SERVICE_HEALTHY,
	COMPOSE_SERVICE_COMPLETED_SUCCESSFULLY,
};

struct compose_dependency {
	char *service;
	enum compose_condition condition;
	bool required; /* false: a missing or failed service is skipped */
	bool restart;  /* restart this service when the dependency restarts */
};

struct compose_port {
	char *host_ip;	 /* NULL: all addresses */
	unsigned target; /* container port */
	char *published; /* "8080", a range "8000-8010", or NULL: any */
	char *protocol;	 /* tcp, udp or sctp */
};

enum compose_mount_type {
	COMPOSE_MOUNT_BIND,
	COMPOSE_MOUNT_VOLUME,
	COMPOSE_MOUNT_TMPFS,
};

struct compose_mount {
	enum compose_mount_type type;
	char *source; /* absolute host path, volume key, or NULL */
	char *target;
	bool read_only;
	bool create_host_path; /* bind: create a missing source directory */
	char *propagation;     /* bind: rprivate, shared, ... or NULL */
	bool nocopy;	       /* volume: do not copy the image's files in */
	long long tmpfs_size;  /* tmpfs: bytes, -1 unset */
	long long tmpfs_mode;  /* tmpfs: permission bits, -1 unset */
};

struct compose_service_network {
	char *name; /* key in the project's networks */
	char **aliases;
	char *ipv4_address;
	char *ipv6_address;
};

struct compose_env_file {
	char *path;
	bool required;
};

struct compose_build {
	char *context; /* absolute path or URL */
	char *dockerfile;
	char **args; /* KEY=VALUE */
	char *target;
};

struct compose_healthcheck {
	bool set;
	bool disable;
	char **test; /* ["CMD", ...], ["CMD-SHELL", s] or ["NONE"] */
	long long interval;
	long long timeout;
	long long start_period;
	long long retries;
};

struct compose_service {
	char *name;
	char *image;
	struct compose_build *build; /* NULL: no build section */
	/*
	 * No active profile enables it: commands act on it only when it is
	 * named, or a named service depends on it, as in docker compose.
	 */
	bool disabled;

	/* NULL when not set, so the image's value applies. */
	char **command;
	char **entrypoint;

	char **environment; /* KEY=VALUE, env_file values included */
	struct compose_env_file *env_files;
	size_t n_env_files;

	struct compose_port *ports;
	size_t n_ports;
	struct compose_mount *mounts;
	size_t n_mounts;
	struct compose_service_network *networks;
	size_t n_networks;
	struct compose_dependency *depends_on;
	size_t n_depends_on;
	struct compose_healthcheck healthcheck;

	char *restart; /* no, always, on-failure[:N], unless-stopped */
	char *user;
	char *working_dir;
	bool read_only;
	bool init;
	char **tmpfs;
	char **cap_add;
	char **cap_drop;
	char **labels; /* KEY=VALUE */
	char *hostname;
	char *cgroup_parent; /* NULL = $BERTH_CGROUP_PARENT, as in "run" */
	char *network_mode;  /* none, host, bridge, service:S, container:C */
	char *container_name;
	char *stop_signal;
	long long stop_grace_period; /* ns */
	char **expose;
	char **extra_hosts; /* HOST=ADDRESS */
	char **dns;
	char **dns_search;
	char **dns_opt;

	/* mem_limit and cpus, or deploy.resources.limits when unset. */
	long long mem_limit;
	double cpus; /* -1 unset */
	long long pids_limit;
};

struct compose_ipam_config {
	char *subnet;
	char *gateway;
};

struct compose_network {
	char *key;  /* name in the files */
	char *name; /* name on the host: PROJECT_KEY unless set */
	char *driver;
	bool external;
	bool internal;
	char **labels;
	struct compose_ipam_config *ipam;
	size_t n_ipam;
};

struct compose_volume {
	char *key;
	char *name;
	char *driver;
	bool external;
	char **labels;
};

struct compose_project {
	char *name;
	char *working_dir;
	struct compose_service *services; /* sorted by name */
	size_t n_services;
	struct compose_network *networks;
	size_t n_networks;
	struct compose_volume *volumes;
	size_t n_volumes;
	json_t *config; /* canonical form, for "config" */
};

struct compose_load_options {
	char **files;		  /* -f in order; NULL: the default names */
	const char *project_name; /* -p, or NULL */
	char **env_files;	  /* --env-file, or NULL: DIR/.env */
	const char *working_dir;  /* --project-directory, or NULL */
	char **profiles;	  /* --profile, or NULL: $COMPOSE_PROFILES */
};

/*
 * Load the project: read and merge the files, interpolate, normalize and
 * validate. Warnings (unknown keys, unset variables) are appended to
 * *warnings for the caller to print.
 */
int compose_project_load(const struct compose_load_options *opts,
			 char ***warnings, struct compose_project **ret,
			 struct berth_error **err);

/*
 * The steps of compose_project_load for files already in memory:
 * parse one file's data into its normalized form with the variables
 * "vars" (a JSON object of strings)...
 */
int compose_parse_data(const char *data, size_t len, const char *name,
		       const char *project_dir, const json_t *vars,
		       char ***warnings, json_t **ret,
		       struct berth_error **err);

/*
 * ...then, with the files merged, add the defaults (project name,
 * default network, host names of networks and volumes), read env_file
 * into environment, build the model and validate it.
 */
int compose_project_build(json_t *merged, const char *name,
			  const char *project_dir, const json_t *vars,
			  struct compose_project **ret,
			  struct berth_error **err);

void compose_project_free(struct compose_project *p);

/*
 * Lowercase s and keep only [a-z0-9_-], starting with a letter or a
 * digit. Returns NULL when nothing is left.
 */
char *compose_normalize_project_name(const char *s);

/* Return the service called name, or NULL. */
const struct compose_service *
compose_project_service(const struct compose_project *p, const char *name);

/*
 * Order the services so that each comes after those it depends on; ties
 * keep name order. *order receives n_services indices into services.
 * A cycle is an error that names it: "a -> b -> a".
 */
int compose_start_order(const struct compose_project *p, size_t **order,
			struct berth_error **err);

/* Write the canonical form as YAML (json = false) or JSON. */
int compose_write_config(const struct compose_project *p, bool json, FILE *out,
			 struct berth_error **err);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_CONTAINER_CONFIG_H
#define BERTH_ENGINE_CONTAINER_CONFIG_H

/*
 * ROOT/containers/<id>/container.json: what the container was created
 * with, after the image's defaults were applied. The field "image_id"
 * (hex config digest) is also read by the image store's users check.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

struct container_volume {
	char *source;	   /* absolute host path */
	char *destination; /* absolute path in the container */
	bool read_only;
	char *name;	   /* volume name; NULL = a bind mount */
	char *propagation; /* bind propagation; NULL = rprivate */
	/* Used during create only, not stored in container.json: */
	bool anonymous;	      /* a volume made for this container */
	bool nocopy;	      /* no copy-up of the image's content */
	char **volume_labels; /* "K=V" for a volume created now */
};

struct container_config {
	char *id;
	char *name;
	char *image;	/* the reference the user gave */
	char *image_id; /* hex sha256 of the image config */
	char *created;	/* RFC 3339 with nanoseconds, UTC */
	char **entrypoint;
	char **cmd;
	char **env;
	char *workdir;
	char *user; /* as given, "" = root */
	char *hostname;
	char *network;	     /* "none" or "host" */
	char *lowerdir;	     /* overlay lowerdir, image layers top first */
	char *cgroup_parent; /* NULL = BUNDLE_CGROUP_PARENT */
	int64_t memory;
	int64_t cpu_quota;
	int64_t pids_limit;
	struct container_volume *volumes;
	size_t n_volumes;
	bool read_only;
	bool tty;
	bool interactive;
	bool no_new_privileges;
	bool auto_remove;
	char **labels;	/* "K=V", the image's then --label; NULL = none */
	char **tmpfs;	/* "DIR:OPTIONS", OPTIONS maybe empty; NULL = none */
	char **cap_add; /* "CAP_NET_ADMIN" or "ALL"; NULL = none */
	char **cap_drop;
	char *stop_signal;    /* as given, such as "SIGQUIT"; NULL = SIGTERM */
	int64_t stop_timeout; /* seconds before SIGKILL, -1 = 10 */
	char *restart;	      /* --restart as given, NULL = "no" */
	char *init_path;      /* --init: berth-init on the host, NULL = none */
	/* Used during create only, not stored in container.json: */
	char **exposed_ports; /* the image's ExposedPorts keys, then --expose */
};

json_t *container_config_to_json(const struct container_config *config);
int container_config_from_json(const json_t *j, const char *what,
			       struct container_config **ret,
			       struct berth_error **err);

/* Read or write DIR/container.json of one container. */
int container_config_load(const char *dir, struct container_config **ret,
			  struct berth_error **err);
int container_config_save(const char *dir,
			  const struct container_config *config,
			  struct berth_error **err);

void container_config_free(struct container_config *config);

static inline void container_config_freep(struct container_config **c)
{
	container_config_free(*c);
}

#define _cleanup_container_config_ \
	__attribute__((cleanup(container_config_freep)))

#endif

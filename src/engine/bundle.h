/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_BUNDLE_H
#define BERTH_ENGINE_BUNDLE_H

/*
 * The OCI bundle of a container: config.json in the container
 * directory, with root.path "rootfs" (the overlay mount point) and
 * the generated /etc/hosts, /etc/hostname and /etc/resolv.conf next to
 * it.
 */

#include <jansson.h>

#include "engine/container-config.h"
#include "engine/user.h"
#include "util/error.h"

/* Cgroup of each container below every hierarchy: PARENT/<id>. */
#define BUNDLE_CGROUP_PARENT "/berth"

/* Return "PARENT/<id>", the container's linux.cgroupsPath. */
char *bundle_cgroup_path(const struct container_config *config);

/*
 * Build config.json for the container from the runtime's defaults:
 * process, hostname, namespaces, mounts, resources, seccomp profile.
 * The caller owns the result.
 */
json_t *bundle_spec_json(const struct container_config *config,
			 const struct user_ids *user, const char *dir);

/* Write DIR/hosts, DIR/hostname and DIR/resolv.conf. */
int bundle_write_etc_files(const struct container_config *config,
			   const char *dir, struct berth_error **err);

/* Write DIR/config.json, checking it parses as the runtime reads it. */
int bundle_write_spec(const char *dir, json_t *spec, struct berth_error **err);

#endif

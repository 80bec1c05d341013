/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_CONTAINER_INIT_H
#define BERTH_ENGINE_CONTAINER_INIT_H

#include <jansson.h>

#include "engine/engine.h"
#include "util/error.h"

/* The path of the init inside the container, like Docker's docker-init. */
#define CONTAINER_INIT_PATH "/sbin/berth-init"

/* The host path of berth-init, which must be executable. */
int container_init_path(const struct engine *engine, char **ret_path,
			struct berth_error **err);

/*
 * Make the spec run "CONTAINER_INIT_PATH -- ARGS..." with init_path
 * bind-mounted read-only there.
 */
void container_init_apply(json_t *spec, const char *init_path);

#endif

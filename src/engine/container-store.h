/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_CONTAINER_STORE_H
#define BERTH_ENGINE_CONTAINER_STORE_H

/*
 * Container ids, names and directories. Name allocation and removal run
 * under ROOT/containers.lock, taken exclusively: a name is reserved once
 * container.json naming it is written, and the lock makes the check
 * for duplicates and that write one step. Readers take no lock; they
 * skip directories without a readable container.json.
 */

#include <stdbool.h>

#include "engine/engine.h"
#include "util/error.h"

#define CONTAINER_ID_LEN 64
#define CONTAINER_SHORT_ID_LEN 12

/* ROOT/containers/ID and RUNROOT/containers/ID. */
char *container_dir(const struct engine *engine, const char *id);
char *container_run_dir(const struct engine *engine, const char *id);

int container_store_lock(const struct engine *engine, int *ret_fd,
			 struct berth_error **err);

/*
 * Lock ROOT/containers/<id>/lock exclusively. It is held from the
 * state check of a start until the monitor reported "started" or
 * failed, and by removal, so two starts of one container, or a start
 * and a removal, never overlap. Take it after the store lock.
 */
int container_lock(const struct engine *engine, const char *id, int *ret_fd,
		   struct berth_error **err);

/* A new id: 64 hex digits from getrandom(2). */
int container_id_generate(char **ret_id, struct berth_error **err);

bool container_id_is_valid(const char *s);

/* Check a --name: [a-zA-Z0-9][a-zA-Z0-9_.-]*. */
int container_name_validate(const char *name, struct berth_error **err);

/* Return an "adjective_noun" name that no container uses yet. */
int container_name_generate(const struct engine *engine, char **ret_name,
			    struct berth_error **err);

/*
 * Return in *ret_id the id of the container named name, or NULL when
 * no container has it.
 */
int container_name_find(const struct engine *engine, const char *name,
			char **ret_id, struct berth_error **err);

#endif

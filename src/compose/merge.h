/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_COMPOSE_MERGE_H
#define BERTH_COMPOSE_MERGE_H

/*
 * Merging normalized Compose files in the order of -f, as Compose does:
 * mappings merge key by key and later scalars win; command, entrypoint
 * and healthcheck.test are replaced whole; ports, expose, dns, cap_add,
 * cap_drop and similar lists are appended without duplicates; volumes
 * are merged by target and env_file by path.
 */

#include <jansson.h>

/* Merge override into base, which is changed in place. */
void compose_merge(json_t *base, const json_t *override);

#endif

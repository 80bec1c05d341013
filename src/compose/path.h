/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_COMPOSE_PATH_H
#define BERTH_COMPOSE_PATH_H

/*
 * The dotted path of a value in a Compose file, "services.web.ports[0]",
 * kept as a stack while walking the tree so errors can name the value.
 */

#include <stddef.h>

struct path {
	char *buf;
	size_t len;
	size_t alloc;
	size_t *marks; /* length before each push */
	size_t depth;
};

#define PATH_INIT \
	{         \
		0 \
	}

void path_push_key(struct path *p, const char *key);
void path_push_index(struct path *p, size_t index);
void path_pop(struct path *p);
/* The path, or "top level" while it is empty. */
const char *path_text(const struct path *p);
void path_release(struct path *p);

#endif

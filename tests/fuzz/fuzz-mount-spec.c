/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the -v, --mount and --tmpfs parsers. The first byte picks the
 * parser and the rest is the flag's value. An accepted mount must have
 * a normalized absolute destination other than "/", and a volume name
 * that passes the name check.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/mount-spec.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_destination(const char *dest)
{
	if (dest == NULL || dest[0] != '/' || dest[1] == '\0' ||
	    strstr(dest, "//") != NULL || strstr(dest, "/./") != NULL ||
	    strstr(dest, "/../") != NULL || dest[strlen(dest) - 1] == '/')
		abort();
}

static void check_accepted(const struct mount_spec *m)
{
	check_destination(m->destination);

	switch (m->type) {
	case MOUNT_TYPE_BIND:
		if (m->source == NULL || m->source[0] != '/' || m->nocopy)
			abort();
		break;
	case MOUNT_TYPE_VOLUME:
		if (m->source != NULL &&
		    volume_name_validate(m->source, NULL) < 0)
			abort();
		if (m->propagation != NULL)
			abort();
		break;
	case MOUNT_TYPE_TMPFS:
		if (m->source != NULL || m->tmpfs_options == NULL)
			abort();
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *spec = NULL;
	struct berth_error *err = NULL;
	struct mount_spec m = {0};
	int r;

	if (size < 1)
		return 0;

	/* The flags come from argv, so they never contain NUL. */
	spec = xstrndup((const char *)data + 1, size - 1);
	switch (data[0] % 3) {
	case 0:
		r = mount_spec_parse_volume(spec, &m, &err);
		break;
	case 1:
		r = mount_spec_parse_mount(spec, &m, &err);
		break;
	default:
		r = mount_spec_parse_tmpfs(spec, &m, &err);
		break;
	}

	if (r < 0) {
		if (err == NULL || err->msg == NULL)
			abort();
		berth_error_free(&err);
		return 0;
	}
	if (err != NULL)
		abort();
	check_accepted(&m);
	mount_spec_clear(&m);
	return 0;
}

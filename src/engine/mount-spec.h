/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_MOUNT_SPEC_H
#define BERTH_ENGINE_MOUNT_SPEC_H

/*
 * Parsers of the mount flags of "run" and "create", in Docker's syntax:
 *	-v, --volume  [SOURCE:]DEST[:MODE,...]
 *	--mount       type=bind|volume|tmpfs,source=,target=,readonly,...
 *	--tmpfs       DEST[:OPTIONS]
 * They only parse: nothing on disk is looked at or created.
 */

#include <stdbool.h>

#include "util/error.h"

enum mount_type {
	MOUNT_TYPE_BIND,
	MOUNT_TYPE_VOLUME,
	MOUNT_TYPE_TMPFS,
};

struct mount_spec {
	enum mount_type type;
	char *source;	   /* bind: host path; volume: name, NULL = anonymous */
	char *destination; /* absolute, without "." components or "//" */
	bool read_only;
	bool nocopy;	      /* volume: no copy of the image's content */
	bool create_source;   /* bind: make a missing source directory (-v) */
	char *propagation;    /* bind: such as "rslave"; NULL = rprivate */
	char *tmpfs_options;  /* tmpfs: mount(2) options, "" = none */
	char **volume_labels; /* volume: "K=V" for a volume it creates */
};

/* Maximum length of a volume name, the file system's name limit. */
#define VOLUME_NAME_MAX 255

/*
 * Check a volume name as Docker's local driver does: at least two
 * characters of [a-zA-Z0-9_.-], the first a letter or digit.
 */
int volume_name_validate(const char *name, struct berth_error **err);

int mount_spec_parse_volume(const char *spec, struct mount_spec *ret,
			    struct berth_error **err);
int mount_spec_parse_mount(const char *spec, struct mount_spec *ret,
			   struct berth_error **err);
int mount_spec_parse_tmpfs(const char *spec, struct mount_spec *ret,
			   struct berth_error **err);

/*
 * Normalize an absolute container path: drop "." components, doubled and
 * trailing '/'. It must not be "/", contain "..", or be /proc or below
 * it, which the runtime mounts itself. Errors name the kind of mount
 * ("volume", "tmpfs") and the flag's value spec.
 */
int mount_destination_normalize(const char *kind, const char *dest,
				const char *spec, char **ret,
				struct berth_error **err);

void mount_spec_clear(struct mount_spec *m);

#endif

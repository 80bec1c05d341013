/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_IMAGE_ARCHIVE_H
#define BERTH_IMAGE_ARCHIVE_H

/*
 * Image archives, as "docker save" and "podman save" write them.
 *
 * docker-archive: a tar with manifest.json ([{Config, RepoTags,
 * Layers}]), the config blobs and the layers as uncompressed tars,
 * plus the legacy "repositories" file. berth writes the form Docker
 * wrote before version 25: CONFIG_HEX.json and DIFF_ID_HEX/layer.tar,
 * which Podman 4.3 and skopeo 1.9 read (tests/system/archive.bats). It
 * reads that form, Podman's (DIFF_ID_HEX.tar, with symlinks to it) and
 * the one Docker 25 and later writes (an OCI layout whose manifest.json
 * names files under blobs/sha256/).
 *
 * oci-archive: a tar of an OCI image layout (oci-layout, index.json and
 * blobs/sha256/), one index.json descriptor per name with the
 * annotation org.opencontainers.image.ref.name set to "name:tag".
 * oci-dir is the same layout written as a directory; load reads only
 * tars.
 *
 * Loading treats the archive as hostile. Only regular files,
 * directories and symlinks that name another file of the archive are
 * accepted, a path may not be absolute or contain "..", and an entry may
 * appear once. Every blob is written through blob.h and checked against
 * its digest, descriptor sizes must match, and every layer's
 * uncompressed digest must match the config's rootfs.diff_ids. The
 * images are named only after all of them were checked and their layers
 * extracted, so a hostile archive adds no name. A failed load removes
 * the blobs and layer directories it added, and only those.
 */

#include <stddef.h>

#include "image/store.h"
#include "util/error.h"

enum image_archive_format {
	IMAGE_ARCHIVE_DOCKER,
	IMAGE_ARCHIVE_OCI,
	IMAGE_ARCHIVE_OCI_DIR, /* the oci-archive layout, as a directory */
};

/* Parse "docker-archive", "oci-archive" or "oci-dir", Podman's names. */
int image_archive_format_parse(const char *s, enum image_archive_format *ret,
			       struct berth_error **err);

/*
 * Write the images refs (NULL-terminated, at least one) as one archive
 * to fd, or for IMAGE_ARCHIVE_OCI_DIR into the empty directory fd. An
 * image given by name is saved under that name only, and an image given
 * by id without a name, as "docker save" does.
 */
int image_archive_save(struct image_store *store, char *const *refs,
		       enum image_archive_format format, int fd,
		       struct berth_error **err);

struct image_archive_loaded {
	char *id;     /* hex sha256 of the config blob */
	char **names; /* "name:tag", NULL-terminated; NULL when unnamed */
};

/*
 * Load every image of the archive read from fd (plain, gzip or zstd).
 * source names the input in errors.
 */
int image_archive_load(struct image_store *store, int fd, const char *source,
		       struct image_archive_loaded **ret, size_t *ret_n,
		       struct berth_error **err);

void image_archive_loaded_free(struct image_archive_loaded *list, size_t n);

#endif

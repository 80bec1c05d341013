/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_IMAGE_ARCHIVE_INTERNAL_H
#define BERTH_IMAGE_ARCHIVE_INTERNAL_H

/* Shared by the files that implement archive.h. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "image/digest.h"
#include "util/error.h"

#define ARCHIVE_JSON_MAX_SIZE (8 * 1024 * 1024)
/* All JSON files of one archive, which a load keeps in memory. */
#define ARCHIVE_JSON_TOTAL_MAX (64 * 1024 * 1024)
/*
 * Files in one archive. Docker's and Podman's archives have about three
 * files per layer, so this leaves room for thousands of layers. Most
 * files become blobs committed with fsync, so the limit bounds the time
 * a hostile archive costs as well as the memory.
 */
#define ARCHIVE_MAX_ENTRIES 16384
/*
 * Layers of one image. Each layer of an image is extracted on its own,
 * even when the archive lists one blob many times, so the limit bounds
 * the disk a small archive fills. It is above the 125 layers that
 * Docker's layer store accepts (maxLayerDepth in moby's
 * layer/layer_store.go).
 */
#define ARCHIVE_MAX_LAYERS 128
/* Symlink hops followed from one entry to the file it names. */
#define ARCHIVE_MAX_LINK_DEPTH 8

#define ARCHIVE_BLOB_DIR "blobs/sha256/"

enum archive_member_kind {
	ARCHIVE_MEMBER_BLOB,	/* written to the store */
	ARCHIVE_MEMBER_JSON,	/* kept in memory */
	ARCHIVE_MEMBER_LINK,	/* a symlink to another member */
	ARCHIVE_MEMBER_SKIPPED, /* classic per-layer "json" and "VERSION" */
};

/* One file of a loaded archive. */
struct archive_member {
	char *path; /* cleaned, relative to the archive root */
	enum archive_member_kind kind;
	char digest[DIGEST_STRING_SIZE]; /* BLOB */
	int64_t size;			 /* BLOB and JSON */
	char *data;			 /* JSON, NUL-terminated */
	char *target;			 /* LINK, cleaned */
};

struct archive_contents {
	struct archive_member *members;
	size_t n_members;
	size_t capacity;
	json_t *by_path; /* path to index in members, for lookups */
	int64_t json_bytes;
	/*
	 * "DIGEST DIFF_ID" of each layer blob already checked, to its
	 * enum layer_compression, so a blob that many images or layers list
	 * is decompressed once.
	 */
	json_t *checked_layers;
};

/*
 * Read the archive tar from fd, writing its blobs to the store at root
 * and keeping its small JSON files. The caller holds the store lock.
 */
int archive_contents_read(const char *root, int fd,
			  struct archive_contents *contents,
			  struct berth_error **err);

void archive_contents_clear(struct archive_contents *contents);

/*
 * Find the member that path names, following symlinks; what names the
 * referrer ("manifest.json [0] Config") in errors. The member is a
 * blob or a JSON file.
 */
int archive_contents_find(const struct archive_contents *contents,
			  const char *path, const char *what,
			  const struct archive_member **ret,
			  struct berth_error **err);

/* True when a member has exactly the cleaned path. */
bool archive_contents_has(const struct archive_contents *contents,
			  const char *path);

/*
 * Clean a tar entry path: drop a leading "./", "." components and a
 * trailing '/'. Fails on an absolute path, an empty component or "..".
 */
int archive_path_clean(const char *path, char **ret, struct berth_error **err);

/*
 * Resolve the symlink target of the entry path, relative to its
 * directory, to a cleaned path. Fails when it leaves the archive.
 */
int archive_link_resolve(const char *path, const char *target, char **ret,
			 struct berth_error **err);

/*
 * The output of a save: a tar stream or an empty directory.
 * Each file's data follows its add_file() call. Paths come from berth,
 * not from input, and a directory sink creates them with O_NOFOLLOW.
 */
struct archive_sink;

int archive_sink_open_tar(int fd, struct archive_sink **ret,
			  struct berth_error **err);
void archive_sink_open_dir(int dir_fd, struct archive_sink **ret);
/* True when path was already added. */
bool archive_sink_has(const struct archive_sink *sink, const char *path);
/* Add a directory; adding one twice does nothing. */
int archive_sink_add_dir(struct archive_sink *sink, const char *path,
			 struct berth_error **err);
int archive_sink_add_file(struct archive_sink *sink, const char *path,
			  int64_t size, struct berth_error **err);
int archive_sink_write(struct archive_sink *sink, const char *path,
		       const void *buf, size_t len, struct berth_error **err);
/* Finish the output: the tar's end blocks, the last file's fsync. */
int archive_sink_close(struct archive_sink *sink, struct berth_error **err);
void archive_sink_free(struct archive_sink *sink);

/* One image of a docker-archive manifest.json. */
struct docker_manifest_item {
	char *config;
	char **repo_tags; /* NULL-terminated, may be NULL */
	char **layers;	  /* NULL-terminated, lowest first, may be NULL */
};

int archive_docker_manifest_parse(const char *data, size_t len,
				  struct docker_manifest_item **ret,
				  size_t *ret_n, struct berth_error **err);
void archive_docker_manifest_free(struct docker_manifest_item *items, size_t n);

/* One manifest descriptor of an oci-archive index.json. */
struct oci_index_item {
	char digest[DIGEST_STRING_SIZE];
	int64_t size;
	char *name; /* "name:tag", or NULL */
};

/*
 * Parse index.json. A descriptor's name comes from the annotation
 * io.containerd.image.name (Docker 25 and later) or else from
 * org.opencontainers.image.ref.name when that is a full "name:tag". A
 * bare tag such as "latest" names no repository, so that image is
 * loaded without a name.
 */
int archive_oci_index_parse(const char *data, size_t len,
			    struct oci_index_item **ret, size_t *ret_n,
			    struct berth_error **err);
void archive_oci_index_free(struct oci_index_item *items, size_t n);

/* An image whose blobs are in the store, ready to be named. */
struct archive_image {
	char manifest_digest[DIGEST_STRING_SIZE];
	char **names; /* normalized "name:tag", NULL-terminated, or NULL */
};

void archive_images_free(struct archive_image *images, size_t n);

/*
 * Turn each manifest.json item into an OCI manifest blob: the config
 * and layers as found in the archive, every diff_id checked.
 */
int archive_docker_import(const char *root,
			  const struct archive_contents *contents,
			  struct archive_image **ret, size_t *ret_n,
			  struct berth_error **err);

/* Check each index.json image: blobs present, sizes and diff_ids. */
int archive_oci_import(const char *root,
		       const struct archive_contents *contents,
		       struct archive_image **ret, size_t *ret_n,
		       struct berth_error **err);

/*
 * Decompress the layer blob digest, check that its tar has the digest
 * diff_id and return the media type that fits its compression. The
 * result is kept in contents for the next check of the same pair.
 */
int archive_layer_check(const char *root,
			const struct archive_contents *contents,
			const char *digest, const char *diff_id,
			const char **ret_media_type, struct berth_error **err);

/*
 * Add a name found in an archive to names, normalized and without the
 * "docker.io/" or "docker.io/library/" prefix; what names its source.
 */
int archive_name_add(char ***names, const char *name, const char *what,
		     struct berth_error **err);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <archive.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/archive-internal.h"
#include "image/archive.h"
#include "image/blob.h"
#include "image/layout.h"
#include "image/manifest.h"
#include "image/store-internal.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define COPY_BUF_SIZE (1 << 20)

/* An image to save, with the names it is saved under. */
struct save_image {
	struct image_manifest *manifest;
	char **names;
};

struct saver {
	struct archive_sink *sink;
	const char *root;
	char *buf;
	struct save_image *images;
	size_t n_images;
};

int image_archive_format_parse(const char *s, enum image_archive_format *ret,
			       struct berth_error **err)
{
	if (strcmp(s, "docker-archive") == 0)
		*ret = IMAGE_ARCHIVE_DOCKER;
	else if (strcmp(s, "oci-archive") == 0)
		*ret = IMAGE_ARCHIVE_OCI;
	else if (strcmp(s, "oci-dir") == 0)
		*ret = IMAGE_ARCHIVE_OCI_DIR;
	else
		return berth_error_set(err, 0,
				       "unsupported archive format '%s': use "
				       "docker-archive, oci-archive or oci-dir",
				       s);
	return 0;
}

static int write_header(struct saver *sv, const char *path, int64_t size,
			struct berth_error **err)
{
	return archive_sink_add_file(sv->sink, path, size, err);
}

static int write_data(struct saver *sv, const char *path, const void *buf,
		      size_t len, struct berth_error **err)
{
	return archive_sink_write(sv->sink, path, buf, len, err);
}

static int write_buffer(struct saver *sv, const char *path, const char *data,
			struct berth_error **err)
{
	size_t len = strlen(data);

	if (write_header(sv, path, (int64_t)len, err) < 0)
		return -1;
	return write_data(sv, path, data, len, err);
}

static int write_json(struct saver *sv, const char *path, const json_t *doc,
		      struct berth_error **err)
{
	_cleanup_free_ char *data = json_dump_canonical(doc);

	return write_buffer(sv, path, data, err);
}

/* Copy the blob digest as path, checking its content on the way. */
static int write_blob(struct saver *sv, const char *path, const char *digest,
		      struct berth_error **err)
{
	_cleanup_digest_ struct digest_ctx *ctx = digest_new();
	_cleanup_close_ int fd = -1;
	char actual[DIGEST_STRING_SIZE];
	struct stat st;
	int64_t left;

	if (archive_sink_has(sv->sink, path))
		return 0;
	if (blob_open(sv->root, digest, &fd, err) < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		return berth_error_set(err, errno, "stat blob '%s'", digest);
	if (write_header(sv, path, st.st_size, err) < 0)
		return -1;

	for (left = st.st_size; left > 0;) {
		ssize_t n = read(fd, sv->buf, COPY_BUF_SIZE);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return berth_error_set(err, n < 0 ? errno : 0,
					       "read blob '%s'", digest);
		n = n > left ? left : n;
		digest_update(ctx, sv->buf, (size_t)n);
		if (write_data(sv, path, sv->buf, (size_t)n, err) < 0)
			return -1;
		left -= n;
	}

	digest_final(ctx, actual);
	if (strcmp(actual, digest) != 0)
		return berth_error_set(err, 0,
				       "blob '%s' is corrupt: its content has "
				       "digest '%s'",
				       digest, actual);
	return 0;
}

static int write_dir(struct saver *sv, const char *path,
		     struct berth_error **err)
{
	return archive_sink_add_dir(sv->sink, path, err);
}

static char *blob_entry_path(const char *digest)
{
	char *path = NULL;

	xasprintf(&path, ARCHIVE_BLOB_DIR "%s", digest + strlen(DIGEST_PREFIX));
	return path;
}

/* Open a reader that yields the uncompressed bytes of a layer blob. */
static int open_layer(struct saver *sv, const char *digest,
		      struct archive **ret, int *ret_fd,
		      struct berth_error **err)
{
	struct archive *ar;
	struct archive_entry *entry;
	int fd;

	if (blob_open(sv->root, digest, &fd, err) < 0)
		return -1;

	ar = archive_read_new();
	if (ar == NULL)
		abort();
	archive_read_support_filter_gzip(ar);
	archive_read_support_filter_zstd(ar);
	archive_read_support_format_raw(ar);
	if (archive_read_open_fd(ar, fd, COPY_BUF_SIZE) != ARCHIVE_OK ||
	    archive_read_next_header(ar, &entry) != ARCHIVE_OK) {
		berth_error_set(err, 0, "read layer '%s': %s", digest,
				archive_error_string(ar));
		archive_read_free(ar);
		close(fd);
		return -1;
	}

	*ret = ar;
	*ret_fd = fd;
	return 0;
}

/*
 * Read the uncompressed layer once, into the archive when path is set,
 * and return its size. Its digest must be diff_id.
 */
static int pass_layer(struct saver *sv, const struct manifest_layer *layer,
		      const char *path, int64_t *ret_size,
		      struct berth_error **err)
{
	_cleanup_digest_ struct digest_ctx *ctx = digest_new();
	_cleanup_close_ int fd = -1;
	char actual[DIGEST_STRING_SIZE];
	struct archive *ar = NULL;
	int64_t size = 0;
	la_ssize_t n;

	if (open_layer(sv, layer->digest, &ar, &fd, err) < 0)
		return -1;

	while ((n = archive_read_data(ar, sv->buf, COPY_BUF_SIZE)) > 0) {
		digest_update(ctx, sv->buf, (size_t)n);
		size += n;
		if (path != NULL &&
		    write_data(sv, path, sv->buf, (size_t)n, err) < 0)
			break;
	}
	if (n < 0)
		berth_error_set(err, 0, "read layer '%s': %s", layer->digest,
				archive_error_string(ar));
	archive_read_free(ar);
	if (n != 0)
		return -1;

	digest_final(ctx, actual);
	if (strcmp(actual, layer->diff_id) != 0)
		return berth_error_set(err, 0,
				       "layer '%s' is corrupt: its content has "
				       "diff_id '%s', expected '%s'",
				       layer->digest, actual, layer->diff_id);
	*ret_size = size;
	return 0;
}

/* Write DIFF_ID_HEX/layer.tar, the layer without compression. */
static int write_docker_layer(struct saver *sv,
			      const struct manifest_layer *layer,
			      const char *path, struct berth_error **err)
{
	_cleanup_free_ char *dir = xstrdup(path);
	int64_t size = 0;
	int64_t written = 0;

	if (archive_sink_has(sv->sink, path))
		return 0;

	*strrchr(dir, '/') = '\0';
	if (pass_layer(sv, layer, NULL, &size, err) < 0 ||
	    write_dir(sv, dir, err) < 0 ||
	    write_header(sv, path, size, err) < 0 ||
	    pass_layer(sv, layer, path, &written, err) < 0)
		return -1;

	if (written != size)
		return berth_error_set(err, 0,
				       "layer '%s' changed while it was saved",
				       layer->digest);
	return 0;
}

static json_t *names_array(char **names)
{
	json_t *array = json_array();

	for (size_t i = 0; names != NULL && names[i] != NULL; i++)
		json_array_append_new(array, json_string(names[i]));
	return array;
}

/* Add "repo": {"tag": TOP_LAYER} entries, the legacy name list. */
static void add_repositories(json_t *repositories, char **names,
			     const char *top)
{
	for (size_t i = 0; names != NULL && names[i] != NULL; i++) {
		_cleanup_free_ char *repo = xstrdup(names[i]);
		char *colon = strrchr(repo, ':');
		json_t *tags;

		/* Stored names always carry a tag; skip anything else. */
		if (colon == NULL || strchr(colon, '/') != NULL)
			continue;
		*colon = '\0';
		tags = json_object_get(repositories, repo);
		if (tags == NULL) {
			tags = json_object();
			json_object_set_new(repositories, repo, tags);
		}
		json_object_set_new(tags, colon + 1, json_string(top));
	}
}

static int save_docker_image(struct saver *sv, const struct save_image *img,
			     json_t *manifest_list, json_t *repositories,
			     struct berth_error **err)
{
	const struct image_manifest *m = img->manifest;
	_cleanup_free_ char *config = NULL;
	json_t *layers = json_array();
	_cleanup_free_ char *top = NULL;

	xasprintf(&config, "%s.json", m->config_digest + strlen(DIGEST_PREFIX));
	json_array_append_new(
		manifest_list,
		json_pack("{s:s, s:o, s:o}", "Config", config, "RepoTags",
			  img->names != NULL ? names_array(img->names) :
					       json_null(),
			  "Layers", layers));

	if (write_blob(sv, config, m->config_digest, err) < 0)
		return -1;

	for (size_t i = 0; i < m->n_layers; i++) {
		const char *hex = m->layers[i].diff_id + strlen(DIGEST_PREFIX);
		_cleanup_free_ char *path = NULL;

		xasprintf(&path, "%s/layer.tar", hex);
		if (write_docker_layer(sv, &m->layers[i], path, err) < 0)
			return berth_error_wrap(err, "save layer %zu", i);
		json_array_append_new(layers, json_string(path));
		free(top);
		top = xstrdup(hex);
	}

	if (top != NULL)
		add_repositories(repositories, img->names, top);
	return 0;
}

static int save_docker(struct saver *sv, struct berth_error **err)
{
	_cleanup_json_ json_t *manifest_list = json_array();
	_cleanup_json_ json_t *repositories = json_object();

	for (size_t i = 0; i < sv->n_images; i++)
		if (save_docker_image(sv, &sv->images[i], manifest_list,
				      repositories, err) < 0)
			return -1;

	if (write_json(sv, "manifest.json", manifest_list, err) < 0)
		return -1;
	return write_json(sv, "repositories", repositories, err);
}

static int save_oci_blobs(struct saver *sv, const struct image_manifest *m,
			  struct berth_error **err)
{
	_cleanup_free_ char *manifest = blob_entry_path(m->digest);
	_cleanup_free_ char *config = blob_entry_path(m->config_digest);

	if (write_blob(sv, manifest, m->digest, err) < 0 ||
	    write_blob(sv, config, m->config_digest, err) < 0)
		return -1;

	for (size_t i = 0; i < m->n_layers; i++) {
		_cleanup_free_ char *path =
			blob_entry_path(m->layers[i].digest);

		if (write_blob(sv, path, m->layers[i].digest, err) < 0)
			return -1;
	}
	return 0;
}

static json_t *oci_descriptor(const struct image_manifest *m, const char *name)
{
	const char *media_type =
		json_string_value(json_object_get(m->manifest, "mediaType"));
	json_t *desc;

	desc = json_pack("{s:s, s:s, s:I}", "mediaType",
			 media_type != NULL ? media_type : MEDIA_TYPE_MANIFEST,
			 "digest", m->digest, "size",
			 (json_int_t)m->manifest_size);
	if (name != NULL)
		json_object_set_new(desc, "annotations",
				    json_pack("{s:s}", LAYOUT_REF_NAME, name));
	return desc;
}

static int save_oci(struct saver *sv, struct berth_error **err)
{
	_cleanup_json_ json_t *index = NULL;
	json_t *manifests = json_array();

	index = json_pack("{s:i, s:o}", "schemaVersion", 2, "manifests",
			  manifests);
	if (write_buffer(sv, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}",
			 err) < 0 ||
	    write_dir(sv, "blobs", err) < 0 ||
	    write_dir(sv, "blobs/sha256", err) < 0)
		return -1;

	for (size_t i = 0; i < sv->n_images; i++) {
		const struct save_image *img = &sv->images[i];

		if (save_oci_blobs(sv, img->manifest, err) < 0)
			return -1;

		if (img->names == NULL)
			json_array_append_new(
				manifests, oci_descriptor(img->manifest, NULL));
		for (size_t n = 0; img->names != NULL && img->names[n] != NULL;
		     n++)
			json_array_append_new(
				manifests,
				oci_descriptor(img->manifest, img->names[n]));
	}

	return write_json(sv, "index.json", index, err);
}

/* Add ref's image to the list, or its name to an image already there. */
static int collect_image(struct image_store *store, const json_t *index,
			 const char *ref, struct saver *sv,
			 struct berth_error **err)
{
	_cleanup_free_ char *digest = NULL;
	_cleanup_free_ char *name = NULL;
	struct save_image *img = NULL;
	int r;

	r = store_resolve(store, index, ref, &digest, &name, err);
	if (r < 0)
		return -1;
	if (r == 0)
		return berth_error_set(err, 0,
				       "image '%s' not found: see 'berth "
				       "images' for the images in the store",
				       ref);

	for (size_t i = 0; i < sv->n_images && img == NULL; i++)
		if (strcmp(sv->images[i].manifest->digest, digest) == 0)
			img = &sv->images[i];

	if (img == NULL) {
		sv->images = xreallocarray(sv->images, sv->n_images + 1,
					   sizeof(*sv->images));
		img = &sv->images[sv->n_images];
		memset(img, 0, sizeof(*img));
		if (manifest_load(store->root, digest, &img->manifest, err) < 0)
			return berth_error_wrap(err, "image '%s'", ref);
		sv->n_images++;
	}

	if (name != NULL && !strv_contains(img->names, name))
		strv_push(&img->names, name);
	return 0;
}

static void saver_clear(struct saver *sv)
{
	for (size_t i = 0; i < sv->n_images; i++) {
		manifest_free(sv->images[i].manifest);
		strv_free(sv->images[i].names);
	}
	free(sv->images);
	free(sv->buf);
	archive_sink_free(sv->sink);
}

static int save_all(struct saver *sv, enum image_archive_format format, int fd,
		    struct berth_error **err)
{
	int r;

	if (format == IMAGE_ARCHIVE_OCI_DIR)
		archive_sink_open_dir(fd, &sv->sink);
	else if (archive_sink_open_tar(fd, &sv->sink, err) < 0)
		return -1;

	if (format == IMAGE_ARCHIVE_DOCKER)
		r = save_docker(sv, err);
	else
		r = save_oci(sv, err);
	if (r < 0)
		return -1;

	return archive_sink_close(sv->sink, err);
}

int image_archive_save(struct image_store *store, char *const *refs,
		       enum image_archive_format format, int fd,
		       struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;
	_cleanup_json_ json_t *index = NULL;
	struct saver sv = {
		.root = store->root,
		.buf = xmalloc(COPY_BUF_SIZE),
	};
	int r = 0;

	/* Shared: no image may lose its blobs while they are copied. */
	if (store_lock(store, LOCK_MODE_SHARED, &lock, err) < 0 ||
	    layout_index_load(store->root, &index, err) < 0)
		r = -1;

	for (size_t i = 0; r == 0 && refs[i] != NULL; i++)
		r = collect_image(store, index, refs[i], &sv, err);

	if (r == 0)
		r = save_all(&sv, format, fd, err);

	saver_clear(&sv);
	return r;
}

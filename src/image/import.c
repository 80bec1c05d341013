/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <archive.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "image/blob.h"
#include "image/layer-stream.h"
#include "image/layer.h"
#include "image/layout.h"
#include "image/reference.h"
#include "image/store-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/xalloc.h"

/* The PATH most distributions' shells expect; Docker sets the same. */
#define DEFAULT_PATH \
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct imported_layer {
	char digest[DIGEST_STRING_SIZE];
	char diff_id[DIGEST_STRING_SIZE];
	int64_t size;
};

const char *image_architecture(void)
{
	static const struct {
		const char *machine;
		const char *arch;
	} map[] = {
		{"x86_64", "amd64"},	{"aarch64", "arm64"},
		{"armv7l", "arm"},	{"armv6l", "arm"},
		{"i686", "386"},	{"i386", "386"},
		{"ppc64le", "ppc64le"}, {"s390x", "s390x"},
		{"riscv64", "riscv64"},
	};
	static struct utsname u;

	if (uname(&u) < 0)
		return "amd64";
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (strcmp(u.machine, map[i].machine) == 0)
			return map[i].arch;
	return u.machine;
}

static void rfc3339_now(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t len;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	len = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + len, size - len, ".%09ldZ", ts.tv_nsec);
}

/*
 * Stream the tarball once: into the layer blob (gzip), through the
 * diff_id hash and into a new layer directory.
 */
static int import_layer(struct image_store *store, int fd,
			struct imported_layer *ret, struct berth_error **err)
{
	_cleanup_blob_writer_ struct blob_writer *blob = NULL;
	_cleanup_layer_stream_ struct layer_stream *s = NULL;
	_cleanup_close_ int tmp_fd = -1;
	_cleanup_free_ char *tmp = NULL;
	struct archive *ar = NULL;
	int r;

	if (blob_writer_open(store->root, &blob, err) < 0 ||
	    layer_stream_new(fd, blob, &s, err) < 0 ||
	    layer_stream_open_archive(s, &ar, err) < 0)
		return -1;

	if (layer_tmpdir_create(store->layers_dir, &tmp, &tmp_fd, err) < 0) {
		archive_read_free(ar);
		return -1;
	}

	r = layer_unpack(ar, tmp_fd, err);
	archive_read_free(ar);
	if (r < 0)
		layer_stream_take_error(s, err);

	if (r < 0 || layer_stream_finish(s, ret->diff_id, err) < 0 ||
	    blob_writer_commit(blob, NULL, -1, ret->digest, err) < 0 ||
	    layer_tmpdir_commit(tmp, store->layers_dir,
				ret->diff_id + strlen(DIGEST_PREFIX),
				err) < 0) {
		(void)fs_rm_rf(tmp, NULL);
		return -1;
	}

	ret->size = (int64_t)blob_writer_size(blob);
	return 0;
}

static json_t *build_config(const struct imported_layer *layer,
			    const char *source)
{
	_cleanup_free_ char *created_by = NULL;
	char created[64];

	rfc3339_now(created, sizeof(created));
	xasprintf(&created_by, "berth import %s", source);

	return json_pack("{s:s, s:s, s:s, s:{s:[s]}, s:{s:s, s:[s]}, "
			 "s:[{s:s, s:s}]}",
			 "created", created, "architecture",
			 image_architecture(), "os", "linux", "config", "Env",
			 DEFAULT_PATH, "rootfs", "type", "layers", "diff_ids",
			 layer->diff_id, "history", "created", created,
			 "created_by", created_by);
}

static json_t *build_manifest(const char *config_digest, size_t config_size,
			      const struct imported_layer *layer)
{
	return json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:[{s:s, s:s, s:I}]}",
			 "schemaVersion", 2, "mediaType", MEDIA_TYPE_MANIFEST,
			 "config", "mediaType", MEDIA_TYPE_CONFIG, "digest",
			 config_digest, "size", (json_int_t)config_size,
			 "layers", "mediaType", MEDIA_TYPE_LAYER_GZIP, "digest",
			 layer->digest, "size", (json_int_t)layer->size);
}

/* Write config and manifest blobs and name the image in index.json. */
static int commit_image(struct image_store *store,
			const struct imported_layer *layer, const char *source,
			const char *name, char **ret_id,
			struct berth_error **err)
{
	_cleanup_json_ json_t *config = build_config(layer, source);
	_cleanup_json_ json_t *manifest = NULL;
	_cleanup_json_ json_t *index = NULL;
	_cleanup_free_ char *config_data = json_dump_canonical(config);
	_cleanup_free_ char *manifest_data = NULL;
	char config_digest[DIGEST_STRING_SIZE];
	char manifest_digest[DIGEST_STRING_SIZE];

	if (blob_write_buffer(store->root, config_data, strlen(config_data),
			      config_digest, err) < 0)
		return -1;

	manifest = build_manifest(config_digest, strlen(config_data), layer);
	manifest_data = json_dump_canonical(manifest);
	if (blob_write_buffer(store->root, manifest_data, strlen(manifest_data),
			      manifest_digest, err) < 0)
		return -1;

	if (layout_index_load(store->root, &index, err) < 0)
		return -1;

	layout_index_set_name(index, manifest_digest, strlen(manifest_data),
			      name);
	if (layout_index_save(store->root, index, err) < 0)
		return -1;

	*ret_id = xstrdup(config_digest + strlen(DIGEST_PREFIX));
	return 0;
}

/*
 * Delete the layer and blobs of an import that could not be named, so a
 * full disk does not keep them. Blobs that other images share stay.
 */
static void remove_unused(struct image_store *store)
{
	_cleanup_json_ json_t *index = NULL;

	if (layout_index_load(store->root, &index, NULL) == 0)
		(void)layout_gc(store->root, index, NULL);
}

int image_store_import_from(struct image_store *store, int fd,
			    const char *source, const char *name, char **ret_id,
			    struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;
	_cleanup_free_ char *normalized = NULL;
	_cleanup_json_ json_t *index = NULL;
	struct imported_layer layer = {0};

	if (name != NULL && reference_normalize(name, &normalized, err) < 0)
		return -1;

	/* Held throughout: open() treats temp files seen unlocked as stale. */
	if (store_lock(store, LOCK_MODE_EXCLUSIVE, &lock, err) < 0)
		return -1;

	/* Fail before the long part when the image could not be named. */
	if (layout_index_load(store->root, &index, err) < 0)
		return -1;

	if (import_layer(store, fd, &layer, err) < 0)
		return berth_error_wrap(err, "import '%s'", source);

	if (commit_image(store, &layer, source, normalized, ret_id, err) < 0) {
		remove_unused(store);
		return berth_error_wrap(err, "import '%s'", source);
	}
	return 0;
}

int image_store_import(struct image_store *store, int fd, const char *name,
		       char **ret_id, struct berth_error **err)
{
	return image_store_import_from(store, fd, "-", name, ret_id, err);
}

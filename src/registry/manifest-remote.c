/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "registry/manifest-remote.h"

#include <string.h>

#include "image/digest.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

/* More layers than any builder produces; bounds the work per manifest. */
#define REMOTE_LAYERS_MAX 1000
#define REMOTE_MANIFESTS_MAX 1000

static const char *const layer_types[] = {
	"application/vnd.oci.image.layer.v1.tar",
	"application/vnd.oci.image.layer.v1.tar+gzip",
	"application/vnd.oci.image.layer.v1.tar+zstd",
	MEDIA_TYPE_DOCKER_LAYER_GZIP,
};

static const char *const config_types[] = {
	"application/vnd.oci.image.config.v1+json",
	MEDIA_TYPE_DOCKER_CONFIG,
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

static bool is_manifest_type(const char *t)
{
	return strcmp(t, MEDIA_TYPE_OCI_MANIFEST) == 0 ||
	       strcmp(t, MEDIA_TYPE_DOCKER_MANIFEST_V2) == 0;
}

static bool is_index_type(const char *t)
{
	return strcmp(t, MEDIA_TYPE_OCI_INDEX) == 0 ||
	       strcmp(t, MEDIA_TYPE_DOCKER_MANIFEST_LIST) == 0;
}

static bool is_known_type(const char *t)
{
	return is_manifest_type(t) || is_index_type(t);
}

/* The Content-Type without parameters, when it is one of the four. */
static char *known_content_type(const char *content_type)
{
	size_t len;
	char *t;

	if (content_type == NULL)
		return NULL;
	len = strcspn(content_type, "; \t");
	t = xstrndup(content_type, len);
	if (is_known_type(t))
		return t;
	free(t);
	return NULL;
}

/*
 * Reject a value that is not printable ASCII: the registry's strings end
 * up in messages, where escape sequences would reach the terminal.
 */
static int check_printable(const char *value, const char *where,
			   const char *field, struct berth_error **err)
{
	for (const char *p = value; p != NULL && *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return berth_error_set(
				err, 0,
				"%s%s%s: contains a control "
				"or non-ASCII character",
				where, where[0] != '\0' ? "." : "", field);
	return 0;
}

static int parse_platform(const json_t *desc, const char *where,
			  struct platform *p, struct berth_error **err)
{
	json_t *obj = NULL;
	const char *os = NULL, *arch = NULL, *variant = NULL;

	if (json_get_object_opt(desc, "platform", where, &obj, err) < 0)
		return -1;
	if (obj == NULL)
		return 0;
	if (json_get_string_opt(obj, "os", where, &os, err) < 0 ||
	    json_get_string_opt(obj, "architecture", where, &arch, err) < 0 ||
	    json_get_string_opt(obj, "variant", where, &variant, err) < 0)
		return berth_error_wrap(err, "platform");
	if (check_printable(os, where, "platform.os", err) < 0 ||
	    check_printable(arch, where, "platform.architecture", err) < 0 ||
	    check_printable(variant, where, "platform.variant", err) < 0)
		return -1;

	p->os = os != NULL ? xstrdup(os) : NULL;
	p->architecture = arch != NULL ? xstrdup(arch) : NULL;
	p->variant =
		variant != NULL && variant[0] != '\0' ? xstrdup(variant) : NULL;
	return 0;
}

static int parse_descriptor(const json_t *desc, const char *where,
			    struct remote_descriptor *d,
			    struct berth_error **err)
{
	uint64_t size = 0;

	if (!json_is_object(desc))
		return berth_error_set(err, 0, "%s: expected an object", where);

	if (json_get_string(desc, "mediaType", where, &d->media_type, err) <
		    0 ||
	    json_get_string(desc, "digest", where, &d->digest, err) < 0 ||
	    check_printable(d->media_type, where, "mediaType", err) < 0 ||
	    check_printable(d->digest, where, "digest", err) < 0)
		return -1;
	if (json_object_get(desc, "size") == NULL)
		return berth_error_set(err, 0, "%s.size: missing", where);
	if (json_get_uint64_opt(desc, "size", where, INT64_MAX, &size, err) < 0)
		return -1;
	if (digest_parse(d->digest, NULL, err) < 0)
		return berth_error_wrap(err, "%s.digest", where);

	d->size = (int64_t)size;
	return 0;
}

static int parse_config(struct remote_manifest *m, struct berth_error **err)
{
	json_t *config = json_object_get(m->json, "config");

	if (config == NULL)
		return berth_error_set(err, 0, "config: missing");
	if (parse_descriptor(config, "config", &m->config, err) < 0)
		return -1;
	if (!in_list(m->config.media_type, config_types,
		     ARRAY_SIZE(config_types)))
		return berth_error_set(err, 0,
				       "config.mediaType: '%s' is not a "
				       "container image configuration",
				       m->config.media_type);
	return 0;
}

static int parse_layers(struct remote_manifest *m, struct berth_error **err)
{
	json_t *layers = NULL;
	json_t *desc;
	size_t i;

	if (json_get_array_opt(m->json, "layers", "", &layers, err) < 0)
		return -1;
	if (layers == NULL)
		return berth_error_set(err, 0, "layers: missing");
	if (json_array_size(layers) > REMOTE_LAYERS_MAX)
		return berth_error_set(err, 0, "layers: more than %d layers",
				       REMOTE_LAYERS_MAX);

	m->n_layers = json_array_size(layers);
	m->layers = xcalloc(m->n_layers + 1, sizeof(*m->layers));
	json_array_foreach (layers, i, desc) {
		char where[32];

		snprintf(where, sizeof(where), "layers[%zu]", i);
		if (parse_descriptor(desc, where, &m->layers[i], err) < 0)
			return -1;
		if (!in_list(m->layers[i].media_type, layer_types,
			     ARRAY_SIZE(layer_types)))
			return berth_error_set(err, 0,
					       "%s.mediaType: unsupported "
					       "layer type '%s'",
					       where, m->layers[i].media_type);
	}
	return 0;
}

static int parse_manifests(struct remote_manifest *m, struct berth_error **err)
{
	json_t *list = NULL;
	json_t *desc;
	size_t i;

	if (json_get_array_opt(m->json, "manifests", "", &list, err) < 0)
		return -1;
	if (list == NULL)
		return berth_error_set(err, 0, "manifests: missing");
	if (json_array_size(list) > REMOTE_MANIFESTS_MAX)
		return berth_error_set(err, 0,
				       "manifests: more than %d entries",
				       REMOTE_MANIFESTS_MAX);

	m->n_manifests = json_array_size(list);
	m->manifests = xcalloc(m->n_manifests + 1, sizeof(*m->manifests));
	json_array_foreach (list, i, desc) {
		char where[32];

		snprintf(where, sizeof(where), "manifests[%zu]", i);
		if (parse_descriptor(desc, where, &m->manifests[i], err) < 0 ||
		    parse_platform(desc, where, &m->manifests[i].platform,
				   err) < 0)
			return -1;
	}
	return 0;
}

/* Decide the media type from the document, the header and the shape. */
static int detect_type(struct remote_manifest *m, const char *content_type,
		       struct berth_error **err)
{
	_cleanup_free_ char *header = known_content_type(content_type);
	const char *own = NULL;

	if (json_get_string_opt(m->json, "mediaType", "", &own, err) < 0 ||
	    check_printable(own, "", "mediaType", err) < 0)
		return -1;

	if (own != NULL && !is_known_type(own)) {
		if (strstr(own, "manifest.v1") != NULL)
			return berth_error_set(err, 0,
					       "mediaType: Docker schema 1 "
					       "manifests are not supported");
		return berth_error_set(err, 0,
				       "mediaType: unsupported manifest type "
				       "'%s'",
				       own);
	}
	if (own != NULL && header != NULL && strcmp(own, header) != 0)
		return berth_error_set(err, 0,
				       "mediaType '%s' contradicts the "
				       "Content-Type '%s'",
				       own, header);

	if (own != NULL)
		m->media_type = own;
	else if (header != NULL)
		m->media_type = is_index_type(header) ? MEDIA_TYPE_OCI_INDEX :
							MEDIA_TYPE_OCI_MANIFEST;
	else if (json_object_get(m->json, "manifests") != NULL)
		m->media_type = MEDIA_TYPE_OCI_INDEX;
	else
		m->media_type = MEDIA_TYPE_OCI_MANIFEST;

	/* The Docker types always name themselves in the document. */
	if (own == NULL && header != NULL && strstr(header, "docker") != NULL)
		return berth_error_set(err, 0,
				       "mediaType: missing in a '%s' document",
				       header);
	return 0;
}

static int parse_document(struct remote_manifest *m, const char *content_type,
			  struct berth_error **err)
{
	int64_t version = 0;

	if (!json_is_object(m->json))
		return berth_error_set(err, 0, "expected a JSON object");
	if (json_get_int64_opt(m->json, "schemaVersion", "", &version, err) < 0)
		return -1;
	if (version != 2)
		return berth_error_set(err, 0,
				       "schemaVersion: expected 2, found "
				       "%lld",
				       (long long)version);

	if (detect_type(m, content_type, err) < 0)
		return -1;

	if (is_index_type(m->media_type)) {
		m->kind = REMOTE_MANIFEST_INDEX;
		return parse_manifests(m, err);
	}
	m->kind = REMOTE_MANIFEST_IMAGE;
	if (parse_config(m, err) < 0)
		return -1;
	return parse_layers(m, err);
}

int remote_manifest_parse(const char *data, size_t len,
			  const char *content_type,
			  struct remote_manifest **ret,
			  struct berth_error **err)
{
	struct remote_manifest *m;

	if (len > REMOTE_MANIFEST_MAX_SIZE)
		return berth_error_set(err, 0, "manifest: larger than %d bytes",
				       REMOTE_MANIFEST_MAX_SIZE);

	m = xzalloc(sizeof(*m));
	if (json_parse_buffer(data, len, "manifest", &m->json, err) < 0 ||
	    parse_document(m, content_type, err) < 0) {
		remote_manifest_free(m);
		return -1;
	}
	*ret = m;
	return 0;
}

void remote_manifest_free(struct remote_manifest *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n_manifests; i++)
		platform_clear(&m->manifests[i].platform);
	free(m->manifests);
	free(m->layers);
	json_decref(m->json);
	free(m);
}

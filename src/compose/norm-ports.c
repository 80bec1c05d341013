/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "compose/norm-internal.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

struct port_range {
	long first;
	long last;
};

/* Parse "N" or "N-M" with 1 <= N <= M <= 65535; "" gives {0, 0}. */
static int parse_range(const char *s, size_t len, struct port_range *r)
{
	_cleanup_free_ char *text = xstrndup(s, len);
	char *end;

	r->first = r->last = 0;
	if (len == 0)
		return 0;
	if (!isdigit((unsigned char)text[0]))
		return -1;
	r->first = strtol(text, &end, 10);
	r->last = r->first;
	if (*end == '-') {
		if (!isdigit((unsigned char)end[1]))
			return -1;
		r->last = strtol(end + 1, &end, 10);
	}
	if (*end != '\0' || r->first < 1 || r->last > 65535 ||
	    r->first > r->last)
		return -1;
	return 0;
}

static bool valid_protocol(const char *p)
{
	return strcmp(p, "tcp") == 0 || strcmp(p, "udp") == 0 ||
	       strcmp(p, "sctp") == 0;
}

static json_t *port_entry(const char *host_ip, long target,
			  const char *published, const char *protocol)
{
	json_t *e = json_object();

	json_object_set_new(e, "mode", json_string("ingress"));
	if (host_ip != NULL && *host_ip != '\0')
		json_object_set_new(e, "host_ip", json_string(host_ip));
	json_object_set_new(e, "target", json_integer(target));
	if (published != NULL && *published != '\0')
		json_object_set_new(e, "published", json_string(published));
	json_object_set_new(e, "protocol", json_string(protocol));
	return e;
}

/* Expand "[IP:][HOST:]CONTAINER[/PROTO]" into long-form entries. */
static int parse_port_short(struct norm *n, const char *spec, json_t *list,
			    struct berth_error **err)
{
	_cleanup_free_ char *text = xstrdup(spec);
	_cleanup_free_ char *host_ip = NULL;
	const char *protocol = "tcp";
	struct port_range host = {0};
	struct port_range target;
	char *slash = strrchr(text, '/');
	char *container;
	char *published = NULL;

	if (slash != NULL) {
		*slash = '\0';
		protocol = slash + 1;
		if (!valid_protocol(protocol))
			return norm_fail(n, err,
					 "invalid protocol '%s' in '%s': use "
					 "tcp, udp or sctp",
					 protocol, spec);
	}

	container = strrchr(text, ':');
	if (container != NULL) {
		*container++ = '\0';
		published = strrchr(text, ':');
		if (published != NULL) {
			*published++ = '\0';
			host_ip = xstrdup(text);
		} else {
			published = text;
		}
	} else {
		container = text;
	}

	if (host_ip != NULL && host_ip[0] == '[') {
		size_t len = strlen(host_ip);

		if (len < 2 || host_ip[len - 1] != ']')
			return norm_fail(n, err, "invalid address in '%s'",
					 spec);
		memmove(host_ip, host_ip + 1, len - 2);
		host_ip[len - 2] = '\0';
	}

	if (parse_range(container, strlen(container), &target) < 0 ||
	    target.first == 0)
		return norm_fail(n, err,
				 "invalid container port '%s' in '%s': use "
				 "1-65535",
				 container, spec);
	if (published != NULL &&
	    parse_range(published, strlen(published), &host) < 0)
		return norm_fail(n, err,
				 "invalid host port '%s' in '%s': use 1-65535",
				 published, spec);

	long count = target.last - target.first + 1;
	long host_count = host.last - host.first + 1;

	if (host.first == 0 || count == 1) {
		/* A single container port with a host range takes any free one. */
		for (long p = target.first; p <= target.last; p++)
			json_array_append_new(
				list,
				port_entry(host_ip, p, published, protocol));
		return 0;
	}
	if (host_count != count)
		return norm_fail(n, err,
				 "host and container port ranges in '%s' "
				 "differ in length",
				 spec);
	for (long i = 0; i < count; i++) {
		char pub[16];

		snprintf(pub, sizeof(pub), "%ld", host.first + i);
		json_array_append_new(
			list,
			port_entry(host_ip, target.first + i, pub, protocol));
	}
	return 0;
}

static int norm_port_long(struct norm *n, const json_t *in, json_t **out,
			  struct berth_error **err)
{
	static const struct norm_field fields[] = {
		{"target", norm_uint},	       {"published", norm_string},
		{"host_ip", norm_string},      {"protocol", norm_string},
		{"mode", norm_string},	       {"name", norm_string},
		{"app_protocol", norm_string}, {NULL, NULL},
	};
	_cleanup_json_ json_t *obj = NULL;
	json_int_t target;
	const char *protocol;
	const char *published;
	struct port_range r;

	if (norm_object(n, in, fields, &obj, err) < 0)
		return -1;

	target = json_integer_value(json_object_get(obj, "target"));
	if (target < 1 || target > 65535)
		return norm_fail(n, err, "target: expected a port 1-65535");
	published = json_string_value(json_object_get(obj, "published"));
	if (published != NULL &&
	    parse_range(published, strlen(published), &r) < 0)
		return norm_fail(n, err, "published: invalid port '%s'",
				 published);
	protocol = json_string_value(json_object_get(obj, "protocol"));
	if (protocol == NULL)
		json_object_set_new(obj, "protocol", json_string("tcp"));
	else if (!valid_protocol(protocol))
		return norm_fail(n, err,
				 "protocol: invalid '%s': use tcp, udp or "
				 "sctp",
				 protocol);
	if (json_object_get(obj, "mode") == NULL)
		json_object_set_new(obj, "mode", json_string("ingress"));

	*out = TAKE_PTR(obj);
	return 0;
}

static int norm_port(struct norm *n, const json_t *in, json_t *list,
		     struct berth_error **err)
{
	_cleanup_free_ char *text = NULL;
	json_t *entry = NULL;

	if (json_is_object(in)) {
		if (norm_port_long(n, in, &entry, err) < 0)
			return -1;
		json_array_append_new(list, entry);
		return 0;
	}
	if (!json_is_string(in) && !json_is_integer(in))
		return norm_type_error(n, "a port string or mapping", err);

	text = norm_scalar_text(in);
	return parse_port_short(n, text, list, err);
}

int norm_ports(struct norm *n, const json_t *in, json_t **out,
	       struct berth_error **err)
{
	_cleanup_json_ json_t *list = json_array();
	json_t *v;
	size_t i;

	if (!json_is_array(in))
		return norm_type_error(n, "a sequence", err);

	json_array_foreach (in, i, v) {
		path_push_index(&n->path, i);
		if (norm_port(n, v, list, err) < 0)
			return -1;
		path_pop(&n->path);
	}
	*out = TAKE_PTR(list);
	return 0;
}

int norm_expose(struct norm *n, const json_t *in, json_t **out,
		struct berth_error **err)
{
	json_t *v;
	size_t i;

	if (norm_strlist(n, in, out, err) < 0)
		return -1;

	json_array_foreach (*out, i, v) {
		const char *s = json_string_value(v);
		const char *slash = strchr(s, '/');
		struct port_range r;
		size_t len = slash != NULL ? (size_t)(slash - s) : strlen(s);

		if (parse_range(s, len, &r) < 0 || r.first == 0 ||
		    (slash != NULL && !valid_protocol(slash + 1))) {
			int failed;

			path_push_index(&n->path, i);
			failed = norm_fail(
				n, err, "invalid port '%s': use PORT[/PROTO]",
				s);
			json_decref(*out);
			*out = NULL;
			return failed;
		}
	}
	return 0;
}

static bool is_bind_source(const char *s)
{
	return s[0] == '/' || s[0] == '.' || s[0] == '~';
}

static int apply_volume_option(struct norm *n, json_t *vol, const char *opt,
			       const char *spec, struct berth_error **err)
{
	static const char *const propagation[] = {
		"shared", "rshared", "slave", "rslave", "private", "rprivate",
	};
	const char *type = json_string_value(json_object_get(vol, "type"));
	bool bind = strcmp(type, "bind") == 0;

	if (strcmp(opt, "ro") == 0) {
		json_object_set_new(vol, "read_only", json_true());
		return 0;
	}
	if (strcmp(opt, "rw") == 0)
		return 0;
	if (strcmp(opt, "cached") == 0 || strcmp(opt, "delegated") == 0 ||
	    strcmp(opt, "consistent") == 0) {
		json_object_set_new(vol, "consistency", json_string(opt));
		return 0;
	}
	if (bind && (strcmp(opt, "z") == 0 || strcmp(opt, "Z") == 0)) {
		json_object_set_new(json_object_get(vol, "bind"), "selinux",
				    json_string(opt));
		return 0;
	}
	for (size_t i = 0; bind && i < ARRAY_SIZE(propagation); i++) {
		if (strcmp(opt, propagation[i]) == 0) {
			json_object_set_new(json_object_get(vol, "bind"),
					    "propagation", json_string(opt));
			return 0;
		}
	}
	if (!bind && strcmp(opt, "nocopy") == 0) {
		json_object_set_new(vol, "volume",
				    json_pack("{s:b}", "nocopy", 1));
		return 0;
	}
	return norm_fail(n, err, "invalid volume option '%s' in '%s'", opt,
			 spec);
}

/* Parse "[SOURCE:]TARGET[:OPTIONS]". */
static int parse_volume_short(struct norm *n, const char *spec, json_t **out,
			      struct berth_error **err)
{
	_cleanup_strv_ char **parts = NULL;
	_cleanup_json_ json_t *vol = json_object();
	_cleanup_free_ char *copy = xstrdup(spec);
	const char *source = NULL;
	const char *target;
	const char *options = NULL;
	char *save = NULL;
	size_t count;

	for (char *tok = strtok_r(copy, ":", &save); tok != NULL;
	     tok = strtok_r(NULL, ":", &save))
		strv_push(&parts, tok);
	count = strv_length(parts);
	if (count == 0 || count > 3)
		return norm_fail(n, err,
				 "invalid volume '%s': use "
				 "[SOURCE:]TARGET[:OPTIONS]",
				 spec);
	if (count == 1) {
		target = parts[0];
	} else {
		source = parts[0];
		target = parts[1];
		options = count == 3 ? parts[2] : NULL;
	}
	if (target[0] != '/')
		return norm_fail(n, err,
				 "invalid volume '%s': the target '%s' must be "
				 "an absolute path",
				 spec, target);

	if (source != NULL && is_bind_source(source)) {
		_cleanup_free_ char *abs = norm_resolve_path(n, source);

		json_object_set_new(vol, "type", json_string("bind"));
		json_object_set_new(vol, "source", json_string(abs));
		json_object_set_new(vol, "bind",
				    json_pack("{s:b}", "create_host_path", 1));
	} else {
		json_object_set_new(vol, "type", json_string("volume"));
		if (source != NULL)
			json_object_set_new(vol, "source", json_string(source));
	}
	json_object_set_new(vol, "target", json_string(target));

	if (options != NULL) {
		_cleanup_free_ char *opts = xstrdup(options);

		save = NULL;
		for (char *opt = strtok_r(opts, ",", &save); opt != NULL;
		     opt = strtok_r(NULL, ",", &save)) {
			if (apply_volume_option(n, vol, opt, spec, err) < 0)
				return -1;
		}
	}
	*out = TAKE_PTR(vol);
	return 0;
}

static int norm_volume_bind(struct norm *n, const json_t *in, json_t **out,
			    struct berth_error **err)
{
	static const struct norm_field fields[] = {
		{"propagation", norm_string},
		{"create_host_path", norm_bool},
		{"selinux", norm_string},
		{NULL, NULL},
	};

	return norm_object(n, in, fields, out, err);
}

static int norm_volume_volume(struct norm *n, const json_t *in, json_t **out,
			      struct berth_error **err)
{
	static const struct norm_field fields[] = {
		{"nocopy", norm_bool},
		{"subpath", norm_string},
		{NULL, NULL},
	};

	return norm_object(n, in, fields, out, err);
}

static int norm_volume_tmpfs(struct norm *n, const json_t *in, json_t **out,
			     struct berth_error **err)
{
	static const struct norm_field fields[] = {
		{"size", norm_bytes},
		{"mode", norm_uint},
		{NULL, NULL},
	};

	return norm_object(n, in, fields, out, err);
}

static int norm_volume_long(struct norm *n, const json_t *in, json_t **out,
			    struct berth_error **err)
{
	static const struct norm_field fields[] = {
		{"type", norm_string},
		{"source", norm_string},
		{"target", norm_string},
		{"read_only", norm_bool},
		{"consistency", norm_string},
		{"bind", norm_volume_bind},
		{"volume", norm_volume_volume},
		{"tmpfs", norm_volume_tmpfs},
		{NULL, NULL},
	};
	_cleanup_json_ json_t *obj = NULL;
	const char *type;
	const char *target;
	const char *source;

	if (norm_object(n, in, fields, &obj, err) < 0)
		return -1;

	type = json_string_value(json_object_get(obj, "type"));
	if (type == NULL)
		return norm_fail(n, err,
				 "type: missing: use bind, volume or "
				 "tmpfs");
	if (strcmp(type, "bind") != 0 && strcmp(type, "volume") != 0 &&
	    strcmp(type, "tmpfs") != 0)
		return norm_fail(n, err,
				 "type: invalid '%s': use bind, volume or "
				 "tmpfs",
				 type);
	target = json_string_value(json_object_get(obj, "target"));
	if (target == NULL || target[0] != '/')
		return norm_fail(n, err, "target: expected an absolute path");
	source = json_string_value(json_object_get(obj, "source"));
	if (strcmp(type, "bind") == 0) {
		_cleanup_free_ char *abs = NULL;

		if (source == NULL)
			return norm_fail(n, err,
					 "source: missing for a bind mount");
		abs = norm_resolve_path(n, source);
		json_object_set_new(obj, "source", json_string(abs));
	}
	if (strcmp(type, "tmpfs") == 0 && source != NULL)
		return norm_fail(n, err,
				 "source: not allowed for a tmpfs mount");

	*out = TAKE_PTR(obj);
	return 0;
}

int norm_volumes(struct norm *n, const json_t *in, json_t **out,
		 struct berth_error **err)
{
	_cleanup_json_ json_t *list = json_array();
	json_t *v;
	size_t i;

	if (!json_is_array(in))
		return norm_type_error(n, "a sequence", err);

	json_array_foreach (in, i, v) {
		json_t *vol = NULL;
		int r;

		path_push_index(&n->path, i);
		if (json_is_string(v))
			r = parse_volume_short(n, json_string_value(v), &vol,
					       err);
		else if (json_is_object(v))
			r = norm_volume_long(n, v, &vol, err);
		else
			r = norm_type_error(n, "a volume string or mapping",
					    err);
		if (r < 0)
			return -1;
		path_pop(&n->path);
		json_array_append_new(list, vol);
	}
	*out = TAKE_PTR(list);
	return 0;
}

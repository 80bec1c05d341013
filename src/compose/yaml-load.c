/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "compose/yaml-load.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

/* Nodes and bytes of strings (keys included) of a tree. */
struct tree_size {
	size_t nodes;
	size_t bytes;
};

struct anchor {
	char *name;
	json_t *value;
	struct tree_size size; /* charged again on each alias */
};

struct loader {
	yaml_parser_t parser;
	const char *data;
	size_t len;
	const char *name;
	struct anchor *anchors;
	size_t n_anchors;
	struct tree_size used;
};

static void loader_release(struct loader *l)
{
	for (size_t i = 0; i < l->n_anchors; i++) {
		free(l->anchors[i].name);
		json_decref(l->anchors[i].value);
	}
	free(l->anchors);
	yaml_parser_delete(&l->parser);
}

static int fail_at(struct loader *l, yaml_mark_t mark, const char *problem,
		   const char *value, struct berth_error **err)
{
	if (value != NULL)
		return berth_error_set(err, 0, "%s:%zu:%zu: %s '%s'", l->name,
				       mark.line + 1, mark.column + 1, problem,
				       value);
	return berth_error_set(err, 0, "%s:%zu:%zu: %s", l->name, mark.line + 1,
			       mark.column + 1, problem);
}

/*
 * The reader (bad UTF-8, control characters) reports a byte offset
 * instead of a mark, and reads ahead of the parser: turn the offset
 * into the line and column of that byte.
 */
static yaml_mark_t mark_of_offset(const struct loader *l, size_t offset)
{
	yaml_mark_t mark = {.index = offset};

	for (size_t i = 0; i < offset && i < l->len; i++) {
		if (l->data[i] == '\n') {
			mark.line++;
			mark.column = 0;
		} else if (((unsigned char)l->data[i] & 0xc0) != 0x80) {
			mark.column++;
		}
	}
	return mark;
}

static int parser_fail(struct loader *l, struct berth_error **err)
{
	const char *problem = l->parser.problem;
	yaml_mark_t mark = l->parser.problem_mark;

	if (problem == NULL)
		problem = "invalid YAML";
	if (l->parser.error == YAML_READER_ERROR)
		mark = mark_of_offset(l, l->parser.problem_offset);
	return fail_at(l, mark, problem, NULL, err);
}

static int next_event(struct loader *l, yaml_event_t *ev,
		      struct berth_error **err)
{
	if (!yaml_parser_parse(&l->parser, ev))
		return parser_fail(l, err);
	return 0;
}

/*
 * Count n more nodes into the expanded tree. Bytes are bounded too: a
 * large string aliased many times costs few nodes but much memory.
 */
static int charge(struct loader *l, struct tree_size n, yaml_mark_t mark,
		  struct berth_error **err)
{
	if (n.nodes > YAML_MAX_NODES ||
	    l->used.nodes > YAML_MAX_NODES - n.nodes)
		return berth_error_set(err, 0,
				       "%s:%zu:%zu: document has more than %d "
				       "nodes after expanding aliases",
				       l->name, mark.line + 1, mark.column + 1,
				       YAML_MAX_NODES);
	if (n.bytes > YAML_MAX_BYTES ||
	    l->used.bytes > YAML_MAX_BYTES - n.bytes)
		return berth_error_set(err, 0,
				       "%s:%zu:%zu: document has more than %d "
				       "bytes of strings after expanding "
				       "aliases",
				       l->name, mark.line + 1, mark.column + 1,
				       YAML_MAX_BYTES);
	l->used.nodes += n.nodes;
	l->used.bytes += n.bytes;
	return 0;
}

/* Whether s is digits of the base after an optional sign. */
static bool all_digits(const char *s, int base, bool sign)
{
	const char *p = s;

	if (sign && (*p == '-' || *p == '+'))
		p++;
	if (*p == '\0')
		return false;
	for (; *p != '\0'; p++) {
		bool ok = base == 16 ? isxdigit((unsigned char)*p) :
				       *p >= '0' && *p < '0' + base;

		if (!ok)
			return false;
	}
	return true;
}

/* [-+]?(.[0-9]+|[0-9]+(.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool is_float(const char *s)
{
	const char *p = s;
	size_t int_digits = 0;
	size_t frac_digits = 0;

	if (*p == '-' || *p == '+')
		p++;
	for (; isdigit((unsigned char)*p); p++)
		int_digits++;
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++)
			frac_digits++;
	}
	if (int_digits + frac_digits == 0)
		return false;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return *p == '\0';
}

/* Resolve a plain scalar by the YAML 1.2 core schema. */
static json_t *resolve_plain(const char *s)
{
	if (*s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0)
		return json_null();
	if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 ||
	    strcmp(s, "TRUE") == 0)
		return json_true();
	if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 ||
	    strcmp(s, "FALSE") == 0)
		return json_false();

	if (all_digits(s, 10, true) ||
	    (strncmp(s, "0o", 2) == 0 && all_digits(s + 2, 8, false)) ||
	    (strncmp(s, "0x", 2) == 0 && all_digits(s + 2, 16, false))) {
		const char *digits = s;
		int base = 10;
		char *end;

		if (strncmp(s, "0o", 2) == 0) {
			digits = s + 2;
			base = 8;
		} else if (strncmp(s, "0x", 2) == 0) {
			digits = s + 2;
			base = 16;
		}
		errno = 0;
		long long v = strtoll(digits, &end, base);

		/* Integers beyond 64 bits stay strings, like version numbers. */
		if (errno == 0 && *end == '\0')
			return json_integer(v);
		return json_string(s);
	}

	if (is_float(s)) {
		double v = strtod(s, NULL);

		if (isfinite(v))
			return json_real(v);
	}
	return json_string(s);
}

static json_t *scalar_value(const yaml_event_t *ev)
{
	const char *text = (const char *)ev->data.scalar.value;
	const char *tag = (const char *)ev->data.scalar.tag;

	if (tag != NULL && strcmp(tag, YAML_STR_TAG) == 0)
		return json_string(text);
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return json_string(text);
	return resolve_plain(text);
}

/* The size that charge() counted while loading j, aliases expanded. */
static struct tree_size measure(const json_t *j)
{
	struct tree_size n = {.nodes = 1};
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_string(j))
		n.bytes = json_string_length(j);
	if (json_is_object(j)) {
		json_object_foreach ((json_t *)j, key, v) {
			struct tree_size sub = measure(v);

			n.nodes += sub.nodes;
			n.bytes += sub.bytes + strlen(key);
		}
	} else if (json_is_array(j)) {
		json_array_foreach (j, i, v) {
			struct tree_size sub = measure(v);

			n.nodes += sub.nodes;
			n.bytes += sub.bytes;
		}
	}
	return n;
}

static void add_anchor(struct loader *l, const yaml_char_t *name, json_t *value)
{
	if (name == NULL)
		return;

	/* A later anchor of the same name hides the earlier one. */
	l->anchors = xreallocarray(l->anchors, l->n_anchors + 1,
				   sizeof(*l->anchors));
	l->anchors[l->n_anchors++] = (struct anchor){
		.name = xstrdup((const char *)name),
		.value = json_incref(value),
		.size = measure(value),
	};
}

static struct anchor *find_anchor(struct loader *l, const char *name)
{
	for (size_t i = l->n_anchors; i > 0; i--) {
		if (strcmp(l->anchors[i - 1].name, name) == 0)
			return &l->anchors[i - 1];
	}
	return NULL;
}

static int load_node(struct loader *l, yaml_event_t *ev, int depth,
		     json_t **ret, struct berth_error **err);

static int load_sequence(struct loader *l, int depth, json_t *array,
			 struct berth_error **err)
{
	for (;;) {
		yaml_event_t ev;
		json_t *item = NULL;
		int r;

		if (next_event(l, &ev, err) < 0)
			return -1;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		r = load_node(l, &ev, depth + 1, &item, err);
		yaml_event_delete(&ev);
		if (r < 0)
			return -1;
		json_array_append_new(array, item);
	}
}

/* Apply a "<<" merge: keys already in the mapping win. */
static int apply_merge(struct loader *l, json_t *object, json_t *source,
		       yaml_mark_t mark, struct berth_error **err)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_array(source)) {
		json_array_foreach (source, i, v) {
			if (apply_merge(l, object, v, mark, err) < 0)
				return -1;
		}
		return 0;
	}
	if (!json_is_object(source))
		return fail_at(l, mark, "merge key '<<' needs a mapping", NULL,
			       err);

	json_object_foreach (source, key, v) {
		if (json_object_get(object, key) == NULL)
			json_object_set(object, key, v);
	}
	return 0;
}

static int load_mapping(struct loader *l, int depth, json_t *object,
			struct berth_error **err)
{
	_cleanup_json_ json_t *merges = json_array();
	yaml_mark_t merge_mark = {0};

	for (;;) {
		yaml_event_t key_ev;
		yaml_event_t value_ev;
		json_t *value = NULL;
		_cleanup_free_ char *key = NULL;
		bool is_merge;
		int r;

		if (next_event(l, &key_ev, err) < 0)
			return -1;
		if (key_ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&key_ev);
			break;
		}
		if (key_ev.type != YAML_SCALAR_EVENT) {
			r = fail_at(l, key_ev.start_mark,
				    "mapping keys must be scalars", NULL, err);
			yaml_event_delete(&key_ev);
			return r;
		}
		key = xstrdup((const char *)key_ev.data.scalar.value);
		if (charge(l, (struct tree_size){.bytes = strlen(key)},
			   key_ev.start_mark, err) < 0) {
			yaml_event_delete(&key_ev);
			return -1;
		}
		is_merge = strcmp(key, "<<") == 0 &&
			   key_ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (!is_merge && json_object_get(object, key) != NULL) {
			r = fail_at(l, key_ev.start_mark, "duplicate key", key,
				    err);
			yaml_event_delete(&key_ev);
			return r;
		}
		merge_mark = key_ev.start_mark;
		yaml_event_delete(&key_ev);

		if (next_event(l, &value_ev, err) < 0)
			return -1;
		r = load_node(l, &value_ev, depth + 1, &value, err);
		yaml_event_delete(&value_ev);
		if (r < 0)
			return -1;

		if (is_merge)
			json_array_append_new(merges, value);
		else
			json_object_set_new(object, key, value);
	}

	for (size_t i = 0; i < json_array_size(merges); i++) {
		if (apply_merge(l, object, json_array_get(merges, i),
				merge_mark, err) < 0)
			return -1;
	}
	return 0;
}

static int load_alias(struct loader *l, yaml_event_t *ev, json_t **ret,
		      struct berth_error **err)
{
	const char *name = (const char *)ev->data.alias.anchor;
	struct anchor *a = find_anchor(l, name);

	if (a == NULL)
		return fail_at(l, ev->start_mark, "unknown anchor", name, err);
	if (charge(l, a->size, ev->start_mark, err) < 0)
		return -1;

	/* A copy, so that interpolation can edit each use on its own. */
	*ret = json_deep_copy(a->value);
	return 0;
}

/*
 * docker compose reads "!reset" and "!override" as instructions to the
 * merge of several files, which berth does not implement: ignoring them
 * would merge silently what the files ask to replace.
 */
static int check_tag(struct loader *l, const yaml_event_t *ev,
		     struct berth_error **err)
{
	const yaml_char_t *tag = NULL;

	if (ev->type == YAML_SCALAR_EVENT)
		tag = ev->data.scalar.tag;
	else if (ev->type == YAML_SEQUENCE_START_EVENT)
		tag = ev->data.sequence_start.tag;
	else if (ev->type == YAML_MAPPING_START_EVENT)
		tag = ev->data.mapping_start.tag;
	if (tag == NULL || (strcmp((const char *)tag, "!reset") != 0 &&
			    strcmp((const char *)tag, "!override") != 0))
		return 0;
	return fail_at(l, ev->start_mark, "unsupported tag", (const char *)tag,
		       err);
}

static int load_node(struct loader *l, yaml_event_t *ev, int depth,
		     json_t **ret, struct berth_error **err)
{
	_cleanup_json_ json_t *node = NULL;
	const yaml_char_t *anchor = NULL;

	if (depth > YAML_MAX_DEPTH)
		return fail_at(l, ev->start_mark, "nesting too deep", NULL,
			       err);
	if (check_tag(l, ev, err) < 0)
		return -1;

	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		return load_alias(l, ev, ret, err);
	case YAML_SCALAR_EVENT:
		if (charge(l,
			   (struct tree_size){
				   .nodes = 1,
				   .bytes = ev->data.scalar.length,
			   },
			   ev->start_mark, err) < 0)
			return -1;
		node = scalar_value(ev);
		anchor = ev->data.scalar.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
		if (charge(l, (struct tree_size){.nodes = 1}, ev->start_mark,
			   err) < 0)
			return -1;
		node = json_array();
		anchor = ev->data.sequence_start.anchor;
		if (load_sequence(l, depth, node, err) < 0)
			return -1;
		break;
	case YAML_MAPPING_START_EVENT:
		if (charge(l, (struct tree_size){.nodes = 1}, ev->start_mark,
			   err) < 0)
			return -1;
		node = json_object();
		anchor = ev->data.mapping_start.anchor;
		if (load_mapping(l, depth, node, err) < 0)
			return -1;
		break;
	default:
		return fail_at(l, ev->start_mark, "unexpected YAML event", NULL,
			       err);
	}

	add_anchor(l, anchor, node);
	*ret = TAKE_PTR(node);
	return 0;
}

static void anchors_clear(struct loader *l)
{
	for (size_t i = 0; i < l->n_anchors; i++) {
		free(l->anchors[i].name);
		json_decref(l->anchors[i].value);
	}
	l->n_anchors = 0;
}

/*
 * Append the root of each document to docs, or of the first only when
 * !all. An empty document is an empty mapping. Anchors do not reach
 * from one document into the next.
 */
static int load_stream(struct loader *l, json_t *docs, bool all,
		       struct berth_error **err)
{
	for (;;) {
		yaml_event_t ev;
		json_t *root = NULL;
		int r;

		if (next_event(l, &ev, err) < 0)
			return -1;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			yaml_event_delete(&ev);
			return 0;
		case YAML_DOCUMENT_START_EVENT:
			anchors_clear(l);
			yaml_event_delete(&ev);
			continue;
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			yaml_event_delete(&ev);
			continue;
		default:
			break;
		}

		r = load_node(l, &ev, 0, &root, err);
		yaml_event_delete(&ev);
		if (r < 0)
			return -1;
		if (json_is_null(root)) {
			json_decref(root);
			root = json_object();
		}
		json_array_append_new(docs, root);
		if (!all)
			return 0;
	}
}

static int load(const char *data, size_t len, const char *name, bool all,
		json_t **ret, struct berth_error **err)
{
	struct loader l = {.data = data, .len = len, .name = name};
	_cleanup_json_ json_t *docs = json_array();
	int r;

	if (!yaml_parser_initialize(&l.parser))
		return berth_error_set(err, ENOMEM, "%s: YAML parser", name);
	yaml_parser_set_input_string(&l.parser, (const unsigned char *)data,
				     len);
	r = load_stream(&l, docs, all, err);
	loader_release(&l);
	if (r < 0)
		return -1;
	*ret = TAKE_PTR(docs);
	return 0;
}

int yaml_load_buffer(const char *data, size_t len, const char *name,
		     json_t **ret, struct berth_error **err)
{
	_cleanup_json_ json_t *docs = NULL;

	if (load(data, len, name, false, &docs, err) < 0)
		return -1;
	*ret = json_array_size(docs) > 0 ?
		       json_incref(json_array_get(docs, 0)) :
		       json_object();
	return 0;
}

int yaml_load_documents(const char *data, size_t len, const char *name,
			json_t **ret, struct berth_error **err)
{
	return load(data, len, name, true, ret, err);
}

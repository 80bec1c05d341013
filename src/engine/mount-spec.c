/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/mount-spec.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* Largest tmpfs-size accepted, so that the byte count cannot overflow. */
#define TMPFS_SIZE_MAX ((uint64_t)1 << 62)

static const char *const propagations[] = {
	"shared", "rshared", "slave", "rslave", "private", "rprivate",
};

static bool is_propagation(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(propagations); i++)
		if (strcmp(s, propagations[i]) == 0)
			return true;
	return false;
}

int volume_name_validate(const char *name, struct berth_error **err)
{
	static const char allowed[] = "abcdefghijklmnopqrstuvwxyz"
				      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "0123456789_.-";
	size_t len = strlen(name);

	if (len < 2)
		return berth_error_set(err, 0,
				       "invalid volume name '%s': it is too "
				       "short, names have at least two "
				       "characters",
				       name);
	if (len > VOLUME_NAME_MAX)
		return berth_error_set(err, 0,
				       "invalid volume name '%.32s...': it is "
				       "longer than %d characters",
				       name, VOLUME_NAME_MAX);
	if (strspn(name, allowed) != len || name[0] == '_' || name[0] == '.' ||
	    name[0] == '-')
		return berth_error_set(err, 0,
				       "invalid volume name '%s': only "
				       "[a-zA-Z0-9][a-zA-Z0-9_.-] are allowed; "
				       "to bind mount a host directory, give "
				       "an absolute path",
				       name);
	return 0;
}

int mount_destination_normalize(const char *kind, const char *dest,
				const char *spec, char **ret,
				struct berth_error **err)
{
	_cleanup_free_ char *out = xzalloc(strlen(dest) + 2);
	const char *p = dest;
	size_t len = 0, n;

	if (dest[0] != '/')
		return berth_error_set(err, 0,
				       "invalid %s '%s': the container "
				       "path '%s' must be absolute",
				       kind, spec, dest);

	while (*p != '\0') {
		p += strspn(p, "/");
		n = strcspn(p, "/");
		if (n == 2 && strncmp(p, "..", 2) == 0)
			return berth_error_set(err, 0,
					       "invalid %s '%s': the "
					       "container path must not "
					       "contain '..'",
					       kind, spec);
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			out[len++] = '/';
			memcpy(out + len, p, n);
			len += n;
		}
		p += n;
	}
	out[len] = '\0';

	if (len == 0)
		return berth_error_set(err, 0,
				       "invalid %s '%s': the container "
				       "path must not be '/'",
				       kind, spec);
	if (strcmp(out, "/proc") == 0 || strncmp(out, "/proc/", 6) == 0)
		return berth_error_set(err, 0,
				       "invalid %s '%s': the container "
				       "path must not be /proc or below it",
				       kind, spec);
	*ret = TAKE_PTR(out);
	return 0;
}

/* One MODE of -v: "ro,z,rslave,nocopy"; each kind at most once. */
static int parse_modes(const char *modes, const char *spec,
		       struct mount_spec *m, struct berth_error **err)
{
	_cleanup_free_ char *copy = xstrdup(modes);
	bool seen_rw = false, seen_label = false, seen_copy = false;
	char *save = NULL;

	for (char *o = strtok_r(copy, ",", &save); o != NULL;
	     o = strtok_r(NULL, ",", &save)) {
		bool dup;

		if (strcmp(o, "ro") == 0 || strcmp(o, "rw") == 0) {
			dup = seen_rw;
			seen_rw = true;
			m->read_only = strcmp(o, "ro") == 0;
		} else if (strcmp(o, "z") == 0 || strcmp(o, "Z") == 0) {
			/*
			 * NOTE: SELinux relabeling is accepted for Docker's
			 * sake but not done: berth sets no SELinux labels.
			 */
			dup = seen_label;
			seen_label = true;
		} else if (strcmp(o, "nocopy") == 0) {
			dup = seen_copy;
			seen_copy = true;
			m->nocopy = true;
		} else if (is_propagation(o)) {
			dup = m->propagation != NULL;
			free(m->propagation);
			m->propagation = xstrdup(o);
		} else {
			return berth_error_set(err, 0,
					       "invalid mode '%s' in volume "
					       "'%s': use ro or rw, z or Z, "
					       "nocopy, or a propagation such "
					       "as rslave, separated by ','",
					       o, spec);
		}
		if (dup)
			return berth_error_set(err, 0,
					       "invalid mode '%s' in volume "
					       "'%s': a mode of this kind was "
					       "already given",
					       modes, spec);
	}
	return 0;
}

static bool is_mode_list(const char *s)
{
	struct mount_spec probe = {0};
	_cleanup_error_ struct berth_error *e = NULL;
	int r = parse_modes(s, s, &probe, &e);

	mount_spec_clear(&probe);
	return r == 0;
}

/* A volume's source: a name, or NULL for an anonymous volume. */
static int set_volume_source(struct mount_spec *m, const char *source,
			     struct berth_error **err)
{
	if (source == NULL || source[0] == '\0')
		return 0;
	if (volume_name_validate(source, err) < 0)
		return -1;
	m->source = xstrdup(source);
	return 0;
}

static int check_type_options(struct mount_spec *m, const char *spec,
			      struct berth_error **err)
{
	if (m->propagation != NULL && m->type != MOUNT_TYPE_BIND)
		return berth_error_set(err, 0,
				       "invalid mount '%s': a propagation "
				       "applies only to bind mounts",
				       spec);
	if ((m->nocopy || m->volume_labels != NULL) &&
	    m->type != MOUNT_TYPE_VOLUME)
		return berth_error_set(err, 0,
				       "invalid mount '%s': nocopy and "
				       "volume labels apply only to volumes",
				       spec);
	return 0;
}

int mount_spec_parse_volume(const char *spec, struct mount_spec *ret,
			    struct berth_error **err)
{
	_cleanup_strv_ char **parts = NULL;
	_cleanup_free_ char *copy = xstrdup(spec);
	struct mount_spec m = {.type = MOUNT_TYPE_VOLUME};
	const char *source = NULL, *dest, *modes = NULL;
	char *p = copy, *colon;
	size_t n;

	do {
		colon = strchr(p, ':');
		if (colon != NULL)
			*colon = '\0';
		if (p[0] == '\0')
			return berth_error_set(err, 0,
					       "invalid volume '%s': use "
					       "[NAME|HOSTDIR:]DIR[:MODE]",
					       spec);
		strv_push(&parts, p);
		if (colon != NULL)
			p = colon + 1;
	} while (colon != NULL);

	n = strv_length(parts);
	if (n > 3 || (n == 2 && is_mode_list(parts[1])))
		return berth_error_set(err, 0,
				       "invalid volume '%s': use "
				       "[NAME|HOSTDIR:]DIR[:MODE]",
				       spec);
	dest = parts[n == 1 ? 0 : 1];
	if (n >= 2)
		source = parts[0];
	if (n == 3)
		modes = parts[2];

	if (source != NULL && source[0] == '/') {
		m.type = MOUNT_TYPE_BIND;
		m.source = xstrdup(source);
		m.create_source = true;
	} else if (set_volume_source(&m, source, err) < 0) {
		goto fail;
	}

	if ((modes != NULL && parse_modes(modes, spec, &m, err) < 0) ||
	    check_type_options(&m, spec, err) < 0 ||
	    mount_destination_normalize("volume", dest, spec, &m.destination,
					err) < 0)
		goto fail;

	*ret = m;
	return 0;

fail:
	mount_spec_clear(&m);
	return -1;
}

static int parse_bool(const char *key, const char *value, const char *spec,
		      bool *ret, struct berth_error **err)
{
	if (value == NULL || strcmp(value, "true") == 0 ||
	    strcmp(value, "1") == 0) {
		*ret = true;
		return 0;
	}
	if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0) {
		*ret = false;
		return 0;
	}
	return berth_error_set(err, 0,
			       "invalid value '%s' for '%s' in mount '%s': "
			       "use true or false",
			       value, key, spec);
}

/* A size such as "64m": bytes, or k, m, g in powers of 1024. */
static int parse_size(const char *value, const char *spec, uint64_t *ret,
		      struct berth_error **err)
{
	char *end = NULL;
	uint64_t n, unit = 1;

	errno = 0;
	n = strtoull(value, &end, 10);
	if (value[0] < '0' || value[0] > '9' || errno != 0)
		goto invalid;

	if (strcasecmp(end, "k") == 0 || strcasecmp(end, "kb") == 0)
		unit = 1024;
	else if (strcasecmp(end, "m") == 0 || strcasecmp(end, "mb") == 0)
		unit = 1024 * 1024;
	else if (strcasecmp(end, "g") == 0 || strcasecmp(end, "gb") == 0)
		unit = 1024 * 1024 * 1024;
	else if (*end != '\0' && strcasecmp(end, "b") != 0)
		goto invalid;

	if (n > TMPFS_SIZE_MAX / unit)
		goto invalid;
	*ret = n * unit;
	return 0;

invalid:
	return berth_error_set(err, 0,
			       "invalid tmpfs-size '%s' in mount '%s': use a "
			       "number of bytes with an optional unit k, m "
			       "or g",
			       value, spec);
}

static int parse_mode(const char *value, const char *spec, unsigned *ret,
		      struct berth_error **err)
{
	char *end = NULL;
	unsigned long n;

	errno = 0;
	n = strtoul(value, &end, 8);
	if (value[0] < '0' || value[0] > '7' || *end != '\0' || errno != 0 ||
	    n > 07777)
		return berth_error_set(err, 0,
				       "invalid tmpfs-mode '%s' in mount "
				       "'%s': use an octal mode such as 1777",
				       value, spec);
	*ret = (unsigned)n;
	return 0;
}

static void append_option(char **options, const char *fmt, uint64_t value)
{
	char *next;

	if (fmt[0] == 'm')
		xasprintf(&next, "%s%smode=%" PRIo64, *options,
			  (*options)[0] != '\0' ? "," : "", value);
	else
		xasprintf(&next, "%s%ssize=%" PRIu64, *options,
			  (*options)[0] != '\0' ? "," : "", value);
	free(*options);
	*options = next;
}

struct mount_fields {
	const char *type;
	const char *source;
	const char *target;
	bool has_tmpfs_option;
	bool has_volume_option;
	bool has_bind_option;
};

static int parse_field(char *key, const char *value, const char *spec,
		       struct mount_fields *f, struct mount_spec *m,
		       struct berth_error **err)
{
	if (strcmp(key, "readonly") == 0 || strcmp(key, "ro") == 0)
		return parse_bool(key, value, spec, &m->read_only, err);
	if (strcmp(key, "volume-nocopy") == 0) {
		f->has_volume_option = true;
		return parse_bool(key, value, spec, &m->nocopy, err);
	}
	if (value == NULL)
		return berth_error_set(err, 0,
				       "invalid field '%s' in mount '%s': "
				       "use KEY=VALUE",
				       key, spec);

	if (strcmp(key, "type") == 0) {
		f->type = value;
	} else if (strcmp(key, "source") == 0 || strcmp(key, "src") == 0) {
		f->source = value;
	} else if (strcmp(key, "target") == 0 ||
		   strcmp(key, "destination") == 0 || strcmp(key, "dst") == 0) {
		f->target = value;
	} else if (strcmp(key, "bind-propagation") == 0) {
		if (!is_propagation(value))
			return berth_error_set(err, 0,
					       "invalid bind-propagation '%s' "
					       "in mount '%s': use shared, "
					       "slave, private or their r* "
					       "forms",
					       value, spec);
		f->has_bind_option = true;
		free(m->propagation);
		m->propagation = xstrdup(value);
	} else if (strcmp(key, "volume-label") == 0) {
		f->has_volume_option = true;
		if (value[0] == '=' || value[0] == '\0')
			return berth_error_set(err, 0,
					       "invalid volume-label '%s' in "
					       "mount '%s': use KEY=VALUE",
					       value, spec);
		strv_push(&m->volume_labels, value);
	} else if (strcmp(key, "volume-driver") == 0) {
		f->has_volume_option = true;
		if (strcmp(value, "local") != 0)
			return berth_error_set(err, 0,
					       "unsupported volume-driver '%s' "
					       "in mount '%s': only 'local' "
					       "exists",
					       value, spec);
	} else if (strcmp(key, "tmpfs-size") == 0) {
		uint64_t size = 0;

		f->has_tmpfs_option = true;
		if (parse_size(value, spec, &size, err) < 0)
			return -1;
		append_option(&m->tmpfs_options, "size", size);
	} else if (strcmp(key, "tmpfs-mode") == 0) {
		unsigned mode = 0;

		f->has_tmpfs_option = true;
		if (parse_mode(value, spec, &mode, err) < 0)
			return -1;
		append_option(&m->tmpfs_options, "mode", mode);
	} else if (strcmp(key, "consistency") == 0) {
		/* Docker ignores it on Linux as well. */
	} else {
		return berth_error_set(err, 0,
				       "unknown key '%s' in mount '%s': use "
				       "type, source, target, readonly, "
				       "bind-propagation, volume-nocopy, "
				       "volume-label, tmpfs-size or tmpfs-mode",
				       key, spec);
	}
	return 0;
}

static int set_mount_type(const struct mount_fields *f, const char *spec,
			  struct mount_spec *m, struct berth_error **err)
{
	const char *type = f->type != NULL ? f->type : "volume";

	if (strcmp(type, "bind") == 0)
		m->type = MOUNT_TYPE_BIND;
	else if (strcmp(type, "volume") == 0)
		m->type = MOUNT_TYPE_VOLUME;
	else if (strcmp(type, "tmpfs") == 0)
		m->type = MOUNT_TYPE_TMPFS;
	else
		return berth_error_set(err, 0,
				       "invalid type '%s' in mount '%s': use "
				       "bind, volume or tmpfs",
				       type, spec);

	if ((f->has_bind_option && m->type != MOUNT_TYPE_BIND) ||
	    (f->has_volume_option && m->type != MOUNT_TYPE_VOLUME) ||
	    (f->has_tmpfs_option && m->type != MOUNT_TYPE_TMPFS))
		return berth_error_set(err, 0,
				       "invalid mount '%s': an option of "
				       "another mount type is given for "
				       "type '%s'",
				       spec, type);
	return 0;
}

static int set_mount_source(const struct mount_fields *f, const char *spec,
			    struct mount_spec *m, struct berth_error **err)
{
	switch (m->type) {
	case MOUNT_TYPE_BIND:
		if (f->source == NULL || f->source[0] == '\0')
			return berth_error_set(err, 0,
					       "invalid mount '%s': a bind "
					       "mount needs source=HOSTDIR",
					       spec);
		if (f->source[0] != '/')
			return berth_error_set(err, 0,
					       "invalid mount '%s': the bind "
					       "source '%s' must be absolute",
					       spec, f->source);
		m->source = xstrdup(f->source);
		return 0;
	case MOUNT_TYPE_VOLUME:
		return set_volume_source(m, f->source, err);
	case MOUNT_TYPE_TMPFS:
		if (f->source != NULL)
			return berth_error_set(err, 0,
					       "invalid mount '%s': a tmpfs "
					       "mount takes no source",
					       spec);
		return 0;
	}
	return 0;
}

/* NOTE: fields are split at every ','; Docker's CSV quoting is not read. */
int mount_spec_parse_mount(const char *spec, struct mount_spec *ret,
			   struct berth_error **err)
{
	_cleanup_free_ char *copy = xstrdup(spec);
	struct mount_spec m = {.tmpfs_options = xstrdup("")};
	struct mount_fields f = {0};
	char *save = NULL;

	for (char *field = strtok_r(copy, ",", &save); field != NULL;
	     field = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(field, '=');

		if (eq != NULL)
			*eq = '\0';
		if (parse_field(field, eq != NULL ? eq + 1 : NULL, spec, &f, &m,
				err) < 0)
			goto fail;
	}

	if (f.target == NULL || f.target[0] == '\0') {
		berth_error_set(err, 0,
				"invalid mount '%s': target=DIR is missing",
				spec);
		goto fail;
	}

	if (set_mount_type(&f, spec, &m, err) < 0 ||
	    set_mount_source(&f, spec, &m, err) < 0 ||
	    mount_destination_normalize("mount", f.target, spec, &m.destination,
					err) < 0)
		goto fail;

	*ret = m;
	return 0;

fail:
	mount_spec_clear(&m);
	return -1;
}

int mount_spec_parse_tmpfs(const char *spec, struct mount_spec *ret,
			   struct berth_error **err)
{
	const char *colon = strchr(spec, ':');
	_cleanup_free_ char *dest =
		colon != NULL ? xstrndup(spec, (size_t)(colon - spec)) :
				xstrdup(spec);
	struct mount_spec m = {.type = MOUNT_TYPE_TMPFS};

	if (mount_destination_normalize("tmpfs", dest, spec, &m.destination,
					err) < 0)
		return -1;

	m.tmpfs_options = xstrdup(colon != NULL ? colon + 1 : "");
	*ret = m;
	return 0;
}

void mount_spec_clear(struct mount_spec *m)
{
	free(m->source);
	free(m->destination);
	free(m->propagation);
	free(m->tmpfs_options);
	strv_free(m->volume_labels);
	*m = (struct mount_spec){0};
}

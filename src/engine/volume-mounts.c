/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mounts of a new container: parse the flags, add the image's
 * config.Volumes, create the volumes and copy the image's content into
 * the empty ones.
 */
#include "engine/volume.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/mount-spec.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

struct mount_list {
	struct mount_spec *items;
	size_t n;
};

static void mount_list_clear(struct mount_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		mount_spec_clear(&l->items[i]);
	free(l->items);
}

static struct mount_spec *mount_list_add(struct mount_list *l)
{
	l->items = xreallocarray(l->items, l->n + 1, sizeof(*l->items));
	l->items[l->n] = (struct mount_spec){0};
	return &l->items[l->n++];
}

static bool mount_list_has(const struct mount_list *l, const char *dest)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].destination, dest) == 0)
			return true;
	return false;
}

typedef int (*mount_parser)(const char *spec, struct mount_spec *ret,
			    struct berth_error **err);

/* Parse each spec, rejecting a destination that is mounted already. */
static int parse_all(struct mount_list *l, char *const *specs,
		     mount_parser parse, struct berth_error **err)
{
	for (size_t i = 0; specs != NULL && specs[i] != NULL; i++) {
		struct mount_spec m;

		if (parse(specs[i], &m, err) < 0)
			return -1;
		if (mount_list_has(l, m.destination)) {
			berth_error_set(err, 0,
					"duplicate mount point '%s' in '%s': "
					"mount one thing at each container "
					"path",
					m.destination, specs[i]);
			mount_spec_clear(&m);
			return -1;
		}
		*mount_list_add(l) = m;
	}
	return 0;
}

/*
 * The image's config.Volumes get anonymous volumes, except where a
 * flag mounts something at that path already, as in Docker.
 */
static int add_image_volumes(struct mount_list *l, const json_t *image_config,
			     struct berth_error **err)
{
	json_t *volumes = json_object_get(image_config, "Volumes");
	const char *path;
	json_t *value;

	json_object_foreach (volumes, path, value) {
		_cleanup_free_ char *dest = NULL;
		struct mount_spec *m;

		(void)value;
		if (mount_destination_normalize("volume", path, path, &dest,
						err) < 0)
			return berth_error_wrap(err,
						"invalid Volumes entry in the "
						"image config");
		if (mount_list_has(l, dest))
			continue;
		m = mount_list_add(l);
		m->type = MOUNT_TYPE_VOLUME;
		m->destination = TAKE_PTR(dest);
	}
	return 0;
}

/* Docker's -v creates a missing bind source, but --mount requires one. */
static int check_bind_source(const struct mount_spec *m,
			     struct berth_error **err)
{
	struct stat st;

	if (stat(m->source, &st) == 0)
		return 0;
	if (errno != ENOENT)
		return berth_error_set(err, errno, "invalid bind source '%s'",
				       m->source);
	if (!m->create_source)
		return berth_error_set(err, 0,
				       "invalid bind mount: the source path "
				       "'%s' does not exist; create it "
				       "first",
				       m->source);
	return 0;
}

static void add_volume(struct container_config *c, struct mount_spec *m)
{
	struct container_volume *v;

	c->volumes = xreallocarray(c->volumes, c->n_volumes + 1,
				   sizeof(*c->volumes));
	v = &c->volumes[c->n_volumes++];
	*v = (struct container_volume){
		.destination = TAKE_PTR(m->destination),
		.read_only = m->read_only,
		.nocopy = m->nocopy,
		.volume_labels = TAKE_PTR(m->volume_labels),
	};

	if (m->type == MOUNT_TYPE_BIND) {
		v->source = TAKE_PTR(m->source);
		v->propagation = TAKE_PTR(m->propagation);
	} else {
		/* "" marks an anonymous volume until it is created. */
		v->name = m->source != NULL ? TAKE_PTR(m->source) : xstrdup("");
	}
}

/* --mount type=tmpfs,readonly makes the tmpfs read-only, as in Docker. */
static void add_tmpfs(struct container_config *c, const struct mount_spec *m)
{
	const char *options = m->tmpfs_options != NULL ? m->tmpfs_options : "";
	char *entry;

	xasprintf(&entry, "%s:%s%s%s", m->destination, options,
		  m->read_only && options[0] != '\0' ? "," : "",
		  m->read_only ? "ro" : "");
	strv_push_take(&c->tmpfs, entry);
}

static int apply(struct container_config *c, struct mount_list *l,
		 struct berth_error **err)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].type == MOUNT_TYPE_BIND &&
		    check_bind_source(&l->items[i], err) < 0)
			return -1;

	for (size_t i = 0; i < l->n; i++) {
		struct mount_spec *m = &l->items[i];

		if (m->type == MOUNT_TYPE_BIND && m->create_source &&
		    !fs_exists(m->source) &&
		    fs_mkdir_p(m->source, 0755, err) < 0)
			return -1;
		if (m->type == MOUNT_TYPE_TMPFS)
			add_tmpfs(c, m);
		else
			add_volume(c, m);
	}
	return 0;
}

int volume_mounts_prepare(struct container_config *c,
			  const struct engine_create_options *opts,
			  const json_t *image_config, struct berth_error **err)
{
	struct mount_list l = {0};
	int r;

	r = parse_all(&l, opts->volumes, mount_spec_parse_volume, err);
	if (r == 0)
		r = parse_all(&l, opts->mounts, mount_spec_parse_mount, err);
	if (r == 0)
		r = parse_all(&l, opts->tmpfs, mount_spec_parse_tmpfs, err);
	if (r == 0)
		r = add_image_volumes(&l, image_config, err);
	if (r == 0)
		r = apply(c, &l, err);

	mount_list_clear(&l);
	return r;
}

int volume_mounts_attach(struct engine *engine, struct container_config *c,
			 struct berth_error **err)
{
	for (size_t i = 0; i < c->n_volumes; i++) {
		struct container_volume *v = &c->volumes[i];
		_cleanup_volume_ struct volume *vol = NULL;
		bool anonymous;

		if (v->name == NULL)
			continue;

		anonymous = v->name[0] == '\0';
		if (volume_create(engine, anonymous ? NULL : v->name,
				  v->volume_labels, anonymous, &vol, NULL,
				  err) < 0) {
			(void)volume_remove_anonymous_locked(engine, c, NULL);
			return -1;
		}
		free(v->name);
		v->name = xstrdup(vol->name);
		v->source = xstrdup(vol->mountpoint);
		v->anonymous = anonymous;
	}
	return 0;
}

static bool dir_is_empty(int fd)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int copy = dup(fd);

	if (copy < 0)
		return false;
	d = fdopendir(copy);
	if (d == NULL) {
		close(copy);
		return false;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			return false;
	return true;
}

/* Undo a partial copy-up, so that the next container copies again. */
static void empty_dir(int fd)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int copy = dup(fd);

	if (copy < 0)
		return;
	d = fdopendir(copy);
	if (d == NULL) {
		close(copy);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			(void)fs_rm_rf_at(fd, de->d_name, NULL);
}

static int populate_one(int rootfd, const struct container_volume *v,
			struct berth_error **err)
{
	_cleanup_close_ int src = -1, dst = -1;
	_cleanup_error_ struct berth_error *missing = NULL;

	dst = open(v->source, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dst < 0)
		return berth_error_set(err, errno, "open volume '%s'",
				       v->source);
	if (!dir_is_empty(dst))
		return 0;

	/* Nothing to copy where the image has no directory. */
	src = fs_open_in_root(rootfd, v->destination, O_RDONLY | O_DIRECTORY, 0,
			      &missing);
	if (src < 0 &&
	    (missing->errnum == ENOENT || missing->errnum == ENOTDIR))
		return 0;
	if (src < 0) {
		berth_error_move(err, &missing);
		return -1;
	}

	if (volume_copy_tree(src, dst, err) < 0) {
		empty_dir(dst);
		return berth_error_wrap(err,
					"copy the image's '%s' into volume "
					"'%s'",
					v->destination, v->name);
	}
	return 0;
}

int volume_mounts_populate(const struct container_config *c,
			   const char *rootfs_dir, struct berth_error **err)
{
	_cleanup_close_ int rootfd = -1;

	rootfd = open(rootfs_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return berth_error_set(err, errno, "open '%s'", rootfs_dir);

	for (size_t i = 0; i < c->n_volumes; i++) {
		const struct container_volume *v = &c->volumes[i];

		if (v->name == NULL || v->nocopy)
			continue;
		if (populate_one(rootfd, v, err) < 0)
			return -1;
	}
	return 0;
}

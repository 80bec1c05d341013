/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_VOLUME_H
#define BERTH_ENGINE_VOLUME_H

/*
 * Volumes of the "local" driver, as Docker keeps them:
 *	ROOT/volumes/<name>/_data        the data, bind-mounted into
 *	                                 containers
 *	ROOT/volumes/<name>/volume.json  name, driver, created, labels,
 *	                                 options, anonymous
 * A volume appears by renaming a complete ROOT/volumes/.tmp-* directory,
 * so a directory without volume.json never exists under its name.
 *
 * ROOT/volumes.lock serializes creating and removing volumes. Lock
 * order: ROOT/containers.lock first, then ROOT/volumes.lock. Removal
 * takes both, so no container is created with a volume while the volume
 * is checked for users and removed.
 */

#include <jansson.h>
#include <stdbool.h>

#include "engine/container-config.h"
#include "engine/engine.h"
#include "util/error.h"

/* Length of an anonymous volume's name: 64 hex digits. */
#define VOLUME_ANONYMOUS_NAME_LEN 64

/* Label of anonymous volumes, with an empty value, as in Docker. */
#define VOLUME_ANONYMOUS_LABEL "com.docker.volume.anonymous"

struct volume {
	char *name;
	char *created; /* RFC 3339, UTC */
	char **labels; /* "K=V"; NULL = none */
	bool anonymous;
	char *mountpoint; /* ROOT/volumes/<name>/_data */
};

void volume_free(struct volume *v);

static inline void volume_freep(struct volume **v)
{
	volume_free(*v);
}

#define _cleanup_volume_ __attribute__((cleanup(volume_freep)))

/* ROOT/volumes/<name>/_data, where containers mount the volume. */
char *volume_mountpoint(struct engine *engine, const char *name);

/* Take ROOT/volumes.lock exclusively. */
int volume_store_lock(struct engine *engine, int *ret_fd,
		      struct berth_error **err);

/*
 * Create the volume name, or one named with 64 random hex digits when
 * name is NULL, with the labels "K=V". An anonymous volume, one made
 * for a container's mount, is removed with its container by "rm -v". An existing named volume is kept as it is, as in
 * Docker. *ret_created (may be NULL) is set when it was made now.
 * Takes ROOT/volumes.lock.
 */
int volume_create(struct engine *engine, const char *name, char *const *labels,
		  bool anonymous, struct volume **ret, bool *ret_created,
		  struct berth_error **err);

bool volume_exists(struct engine *engine, const char *name);

/* Load a volume; "no such volume" when there is none of that name. */
int volume_load(struct engine *engine, const char *name, struct volume **ret,
		struct berth_error **err);

/* Return the names of every volume, sorted. */
int volume_list(struct engine *engine, char ***ret_names,
		struct berth_error **err);

/*
 * Return the ids of the containers, running or not, that mount the
 * volume. Hold ROOT/containers.lock to keep the result valid.
 */
int volume_users(struct engine *engine, const char *name, char ***ret_ids,
		 struct berth_error **err);

/*
 * Remove a volume no container uses. Takes ROOT/containers.lock, then
 * ROOT/volumes.lock. A volume in use is an error, as in Docker.
 */
int volume_remove(struct engine *engine, const char *name,
		  struct berth_error **err);

/*
 * Remove the anonymous volumes that config mounts and that no other
 * container uses. The caller holds ROOT/containers.lock and has removed
 * the container's directory.
 */
int volume_remove_anonymous_locked(struct engine *engine,
				   const struct container_config *config,
				   struct berth_error **err);

/*
 * Remove a container as engine_container_remove() does, then, when
 * with_volumes, its anonymous volumes ("rm -v", "run --rm").
 */
int volume_container_remove(struct engine *engine, const char *id, bool force,
			    bool with_volumes, struct berth_error **err);

/*
 * Remove the volumes no container uses: the anonymous ones, or with all
 * every one, as "docker volume prune" (Docker 23 and later) does.
 * Returns their names and the bytes their files took.
 */
int volume_prune(struct engine *engine, bool all, char ***ret_names,
		 unsigned long long *ret_bytes, struct berth_error **err);

/* Describe a volume as "docker volume inspect" does. */
json_t *volume_inspect_json(const struct volume *v);

/* Describe one mount of a container as Docker's inspect "Mounts" does. */
json_t *volume_mount_json(const struct container_volume *v);

/* Return the bytes the files of a volume take, for prune's report. */
unsigned long long volume_size(const struct volume *v);

/*
 * Resolve the mount flags of a create (-v, --mount, --tmpfs) and the
 * image's config.Volumes into config's volumes and tmpfs. Volumes are
 * only named here: volume_mounts_attach() creates them. A -v bind
 * source that does not exist is created, as Docker does.
 */
int volume_mounts_prepare(struct container_config *config,
			  const struct engine_create_options *opts,
			  const json_t *image_config, struct berth_error **err);

/*
 * Create or look up every volume config mounts and set its source to
 * the volume's mountpoint. Call under ROOT/containers.lock. A failure
 * removes the anonymous volumes made so far; named ones stay, as in
 * Docker. To undo a success, volume_remove_anonymous_locked().
 */
int volume_mounts_attach(struct engine *engine, struct container_config *config,
			 struct berth_error **err);

/*
 * Copy the image's content at each volume's destination into the
 * volume when the volume is empty (Docker's copy-up), unless it was
 * mounted with nocopy. rootfs_dir is the mounted root file system.
 */
int volume_mounts_populate(const struct container_config *config,
			   const char *rootfs_dir, struct berth_error **err);

/*
 * Copy the directory tree src_fd into the empty directory dst_fd:
 * contents, ownership, modes, times, extended attributes, hard links,
 * symlinks and device nodes. The top directory takes src_fd's owner and mode.
 */
int volume_copy_tree(int src_fd, int dst_fd, struct berth_error **err);

#endif

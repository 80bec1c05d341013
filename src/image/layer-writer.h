/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_IMAGE_LAYER_WRITER_H
#define BERTH_IMAGE_LAYER_WRITER_H

/*
 * Making layers and images: the producing side of the image store, used
 * by "berth build" and "berth commit".
 *
 * A layer is made from a directory. For a RUN step that directory is
 * the overlayfs upper dir of the step's container (LAYER_WRITE_OVERLAY):
 * its whiteouts (character devices 0:0) become OCI ".wh.NAME" entries
 * and its opaque directories (xattr trusted.overlay.opaque or
 * user.overlay.opaque "y") get a ".wh..wh..opq" entry. For a COPY step
 * there are two ways, both giving a correct layer:
 *
 * - mount the overlay, copy into the merged tree, unmount, and write the
 *   upper dir with LAYER_WRITE_OVERLAY; parents that already exist
 *   below keep their owner and mode because overlayfs copies them up;
 * - copy into an empty staging directory laid out as the image root
 *   (parents included) and write it without LAYER_WRITE_OVERLAY. The
 *   parents then enter the layer with the staging directory's owner,
 *   mode and time, so set those as the image should have them.
 *
 * The tar is reproducible. Its entries are sorted bytewise by path and
 * the layer root itself is left out. Owners are numeric uid/gid without
 * names, there is no atime or ctime, and mtimes are clamped to the
 * timestamp when one is given. PAX headers carry what ustar cannot hold
 * (long names, xattrs, sub-second times).
 *
 * The tar keeps regular files, directories, symlinks, character and
 * block devices, fifos, setuid/setgid/sticky bits and xattrs, except
 * overlayfs's own trusted.overlay.* and user.overlay.*. Hard links
 * within the layer become tar hard links to the first path in sorted
 * order, which carries the data. Sockets are skipped.
 *
 * The gzip compression (libdeflate) has a fixed level and no name or
 * time in its headers, so the same tree gives the same blob digest with
 * the same libdeflate version. The diff_id does not depend on it.
 *
 * Garbage collection (rmi, image prune) deletes blobs and layer
 * directories that no image in index.json uses. A layer written here is
 * in that state until an image using it is committed, so a concurrent
 * rmi can delete it; image_draft_commit() then fails naming the missing
 * blob, and the build has to run again.
 */

#include <jansson.h>
#include <stdint.h>

#include "image/digest.h"
#include "image/store.h"
#include "util/error.h"

/* No timestamp: keep the mtimes found and use the current time. */
#define LAYER_NO_TIMESTAMP INT64_C(-1)

enum layer_write_flags {
	/* The directory is an overlayfs upper dir; see above. */
	LAYER_WRITE_OVERLAY = 1 << 0,
	/*
	 * Also make ROOT/layers/<chain-id>/ present, so the layer can be
	 * the lower dir of the next step's overlay without an extraction
	 * later. It has the same content as an extraction of the blob.
	 */
	LAYER_WRITE_EXTRACT = 1 << 1,
};

struct layer_write_options {
	unsigned int flags; /* enum layer_write_flags */
	/*
	 * Seconds since the epoch, or LAYER_NO_TIMESTAMP. An mtime later
	 * than it is written as it (SOURCE_DATE_EPOCH, --timestamp).
	 */
	int64_t timestamp;
	/*
	 * Chain id ("sha256:...") of the layer below, NULL for the lowest
	 * layer. It names the layer directory (chain_id in the result).
	 */
	const char *parent_chain_id;
	/*
	 * Paths relative to dir ("etc/hosts") left out of the layer with
	 * everything below them, NULL-terminated, or NULL. For the mount
	 * targets a container's runtime creates in the upper dir, see
	 * engine_mount_targets.
	 */
	char *const *exclude;
};

struct layer_blob {
	char digest[DIGEST_STRING_SIZE];   /* the gzip blob */
	char diff_id[DIGEST_STRING_SIZE];  /* the uncompressed tar */
	char chain_id[DIGEST_STRING_SIZE]; /* from parent_chain_id */
	int64_t size;			   /* bytes of the gzip blob */
	uint64_t entries;		   /* tar entries; 0: nothing changed */
};

/* Zero flags and parent, LAYER_NO_TIMESTAMP. */
void layer_write_options_init(struct layer_write_options *opts);

/*
 * Write the tree at dir as a layer blob into the store. The tree must
 * not change meanwhile (the container is stopped, the overlay may stay
 * mounted). Takes the store lock exclusively for its duration. A
 * failure leaves no temp files; it may leave the new blob, unused, for
 * the next garbage collection.
 */
int layer_write_dir(struct image_store *store, const char *dir,
		    const struct layer_write_options *opts,
		    struct layer_blob *ret, struct berth_error **err);

/*
 * Write the tree below dir_fd as an uncompressed tar to out_fd, the way
 * layer_write_dir() does (flags: LAYER_WRITE_OVERLAY or 0). Used for
 * "berth export" of a mounted root file system. ret_entries may be
 * NULL.
 */
int layer_write_tar(int dir_fd, int out_fd, unsigned int flags,
		    int64_t timestamp, uint64_t *ret_entries,
		    struct berth_error **err);

/*
 * An image being made: a base image's config, manifest layers and
 * history, with layers and history entries appended and the config
 * edited, until image_draft_commit() stores it.
 */
struct image_draft;

/*
 * Start from base (any reference image_store_lookup() takes) or, when
 * base is NULL, from scratch: no layers, an empty config with the
 * architecture and os of this host.
 */
int image_draft_new(struct image_store *store, const char *base,
		    struct image_draft **ret, struct berth_error **err);
void image_draft_free(struct image_draft *draft);

static inline void cleanup_image_draft_freep(struct image_draft **draft)
{
	image_draft_free(*draft);
}

#define _cleanup_image_draft_ \
	__attribute__((cleanup(cleanup_image_draft_freep)))

/*
 * The image config's "config" object (Env, Cmd, Entrypoint, WorkingDir,
 * User, Labels, ExposedPorts, Volumes, StopSignal, ...). Borrowed: edit
 * it in place; the draft owns it.
 */
json_t *image_draft_config(struct image_draft *draft);

/* Chain id of the top layer, or NULL while the draft has no layer. */
const char *image_draft_top_chain_id(const struct image_draft *draft);

/*
 * The layer directories of the draft, top first, as an overlay lowerdir
 * wants them; layers not extracted yet are extracted. A NULL-terminated
 * vector, empty for a draft without layers.
 */
int image_draft_layer_dirs(struct image_store *store, struct image_draft *draft,
			   char ***ret_dirs, struct berth_error **err);

/*
 * Append a history entry {created_by, comment} and, when layer is not
 * NULL, the layer (written with parent_chain_id set to
 * image_draft_top_chain_id()). layer NULL marks the entry empty_layer,
 * as for ENV or CMD steps. created_by and comment may be NULL.
 */
int image_draft_add(struct image_draft *draft, const struct layer_blob *layer,
		    const char *created_by, const char *comment,
		    struct berth_error **err);

/* Set the config's "author" (and the author of later history entries). */
void image_draft_set_author(struct image_draft *draft, const char *author);

/*
 * Store the draft: write its config and manifest blobs (JSON with sorted
 * keys), check that every layer blob is there, extract missing layers
 * and name the image in index.json (name "name[:tag]", or NULL for an
 * unnamed image). With a timestamp, the config's "created" and the
 * history entries added to this draft carry it, so the same steps give
 * the same image id. Without one, they carry the time they were added.
 * Returns the manifest digest and the image id (hex of the config
 * digest); either may be NULL.
 */
int image_draft_commit(struct image_store *store, struct image_draft *draft,
		       const char *name, int64_t timestamp,
		       char ret_manifest_digest[DIGEST_STRING_SIZE],
		       char **ret_id, struct berth_error **err);

#endif

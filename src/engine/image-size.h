/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_IMAGE_SIZE_H
#define BERTH_ENGINE_IMAGE_SIZE_H

#include <stdint.h>

#include "image/store.h"
#include "util/error.h"

/*
 * Measure the unpacked size of an image as "docker images" reports it:
 * for each layer directory ROOT/layers/<chain-id-hex>, the sizes of the
 * files and symbolic links in it, a hard-linked file counted once, and
 * directories not at all. Layers that image shares with others count in
 * full. When a layer directory is missing, *ret is the image's
 * compressed size, image->size, because nothing better is known.
 */
int image_unpacked_size(const char *root, const struct image_info *image,
			int64_t *ret, struct berth_error **err);

/* Measure one directory tree as image_unpacked_size() measures a layer. */
int image_tree_size(const char *dir, int64_t *ret, struct berth_error **err);

#endif

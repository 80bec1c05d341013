/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_IMAGE_USE_H
#define BERTH_ENGINE_IMAGE_USE_H

/*
 * Which containers use an image. A container records its image in
 * ROOT/containers/<id>/container.json as the string field "image_id",
 * the image's hex id; "berth rmi" refuses to delete an image that a
 * container still records.
 */

#include "util/error.h"

/*
 * Return in *ret_container_ids the ids (directory names) of the
 * containers whose image_id equals image_id, NULL-terminated, or NULL
 * when none does. A container whose file is missing or unreadable is
 * skipped.
 */
int engine_image_users(const char *root, const char *image_id,
		       char ***ret_container_ids, struct berth_error **err);

#endif

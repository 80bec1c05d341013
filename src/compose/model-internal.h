/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_COMPOSE_MODEL_INTERNAL_H
#define BERTH_COMPOSE_MODEL_INTERNAL_H

#include <jansson.h>

#include "compose/compose.h"

/* Build the typed model from the canonical, finalized JSON. */
struct compose_project *model_from_json(const json_t *root);

/* Check references, required fields and dependency cycles. */
int model_validate(const struct compose_project *p, struct berth_error **err);

#endif

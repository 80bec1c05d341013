/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_CLI_PS_FILTER_H
#define BERTH_CLI_PS_FILTER_H

#include <jansson.h>
#include <stdbool.h>

#include "util/error.h"

/*
 * Check one "berth ps --filter KEY=VALUE". The keys are the ones Docker
 * users reach for first. id is a prefix of the id, and name an extended
 * regular expression found anywhere in the name. status is created,
 * running or exited, and exited an exit code. ancestor is the image as
 * given at create, or a prefix of its id. label is K, a label that is
 * set, or K=V. health is starting, healthy, unhealthy or none, and
 * restart the restart policy's name. Filters with the same key
 * match when any of them does, and a container must match every key.
 */
int ps_filter_check(const char *filter, struct berth_error **err);

/* Match c, the "berth inspect" object of a container, against filters. */
bool ps_filter_match(char *const *filters, const json_t *c);

#endif

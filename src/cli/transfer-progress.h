/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_CLI_TRANSFER_PROGRESS_H
#define BERTH_CLI_TRANSFER_PROGRESS_H

/*
 * Shows the registry_progress events of a pull or push on a stream. On
 * a terminal each blob has a line that is redrawn in place (bytes,
 * rate, state); elsewhere a blob gets one line when it is done, so logs
 * stay readable. Quiet shows nothing.
 */

#include <stdbool.h>
#include <stdio.h>

#include "registry/progress.h"

struct transfer_progress;

/* verb: "Copying" or "Pushing", the word before each blob. */
struct transfer_progress *transfer_progress_new(FILE *stream, bool quiet,
						const char *verb);

/* A registry_progress_fn; data is the transfer_progress. */
void transfer_progress_event(void *data,
			     const struct registry_progress_event *ev);

void transfer_progress_free(struct transfer_progress *p);

#endif

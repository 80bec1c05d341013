/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_EVENTS_H
#define BERTH_ENGINE_EVENTS_H

/*
 * The event log RUNROOT/events.jsonl: one JSON object per line in
 * Docker's event format ("Type", "Action", "Actor", "time",
 * "timeNano"), appended by the commands and the container monitor.
 * Each line is one write(2) with O_APPEND, so writers do not interleave.
 * Recording is best effort: events_container() returns nothing, so a
 * failed write leaves the command's result as it was.
 */

#include "engine/engine.h"

#define EVENTS_FILE "events.jsonl"

/* Append a container event, with attribute exitCode if exit_code >= 0. */
void events_container(const struct engine *engine, const char *action,
		      const char *id, int exit_code);

#endif

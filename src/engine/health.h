/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_HEALTH_H
#define BERTH_ENGINE_HEALTH_H

/*
 * Health checks, as Docker runs them. The effective check (the image's
 * Healthcheck with the create flags over it) is fixed at create time in
 * ROOT/containers/<id>/healthcheck.json, in the image config's shape:
 *
 *	{"Test": ["CMD-SHELL", "..."], "Interval": NS, "Timeout": NS,
 *	 "StartPeriod": NS, "StartInterval": NS, "Retries": N}
 *
 * A container without that file has no check. While the container
 * runs, a "berth healthcheck watch ID" process started next to its
 * monitor execs the test into it every interval and keeps the result in
 * RUNROOT/containers/<id>/health.json (replaced atomically):
 *
 *	{"Status": "starting|healthy|unhealthy", "FailingStreak": N,
 *	 "Log": [{"Start", "End", "ExitCode", "Output"}, ...last 5]}
 *
 * The watcher lives as long as the container's init; a restart starts
 * a new one and the status goes back to "starting".
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "util/error.h"

#define HEALTH_DEFAULT_INTERVAL_NS (30LL * 1000000000LL)
#define HEALTH_DEFAULT_TIMEOUT_NS (30LL * 1000000000LL)
#define HEALTH_DEFAULT_RETRIES 3
#define HEALTH_LOG_ENTRIES 5
#define HEALTH_OUTPUT_MAX 4096
/* A year: longer durations are typing errors, and overflow soon. */
#define HEALTH_DURATION_MAX_NS (366LL * 24 * 3600 * 1000000000LL)

/* Parse a Go duration such as "30s", "1m30s" or "500ms" into ns. */
int health_parse_duration(const char *flag, const char *s, int64_t *ret_ns,
			  struct berth_error **err);

/*
 * The effective check from the image config's Healthcheck (may be NULL)
 * and the create flags: *ret is NULL when there is none (Test NONE).
 */
int health_config_build(const json_t *image_healthcheck,
			const struct engine_create_options *opts, json_t **ret,
			struct berth_error **err);

/* Read DIR/healthcheck.json; *ret is NULL when the container has none. */
int health_config_load(const char *dir, json_t **ret, struct berth_error **err);

/* The State.Health object for inspect, NULL when there is none. */
json_t *health_state_load(const struct engine *engine, const char *id);

/*
 * Run the check once now, record the result in health.json and return
 * 1 for a passing check, 0 for a failing one.
 */
int health_check_once(struct engine *engine, const char *id,
		      struct berth_error **err);

/* Write a fresh health.json: "starting", no streak, no log. */
int health_state_reset(struct engine *engine, const char *id,
		       struct berth_error **err);

/*
 * The watcher: reset health.json, then check every interval (start
 * interval during the start period) while the current init lives.
 */
int health_watch(struct engine *engine, const char *id,
		 struct berth_error **err);

/*
 * Start "berth healthcheck watch ID" in the background when the
 * container has a check. The monitor calls this once the init runs;
 * failures are logged, never fatal.
 */
void health_spawn_watcher(struct engine *engine, const char *id);

/*
 * Wait until the running container's check reports "healthy". Fails
 * when it has no check, stops running, turns unhealthy, or timeout_ms
 * (-1 = forever) passes (ETIMEDOUT).
 */
int engine_container_wait_healthy(struct engine *engine, const char *id,
				  int timeout_ms, struct berth_error **err);

#endif

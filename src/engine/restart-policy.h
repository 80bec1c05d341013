/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_RESTART_POLICY_H
#define BERTH_ENGINE_RESTART_POLICY_H

/*
 * Restart policies (--restart) and the state the monitor keeps to
 * apply them, in ROOT/containers/<id>/restart.json:
 *
 *	{"restart_count": N, "manually_stopped": BOOL, "delay_ms": N}
 *
 * The monitor writes the count and the back-off delay; stop and rm -f
 * set manually_stopped, which ends the restarts. A start by the user
 * resets the whole state, as Docker does. Writers hold the container's
 * lock.
 */

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

enum restart_mode {
	RESTART_NO,
	RESTART_ON_FAILURE,
	RESTART_ALWAYS,
	RESTART_UNLESS_STOPPED,
};

struct restart_policy {
	enum restart_mode mode;
	int64_t max_retries; /* on-failure:N, 0 = unlimited */
};

/* Parse "no", "on-failure[:N]", "always" or "unless-stopped". */
int restart_policy_parse(const char *s, struct restart_policy *ret,
			 struct berth_error **err);

/*
 * Check --restart (NULL = "no") for create: a policy other than "no"
 * conflicts with --rm, as in Docker.
 */
int restart_policy_check(const char *s, bool auto_remove,
			 struct berth_error **err);

/* Docker's name of the mode: "no", "on-failure", ... */
const char *restart_mode_name(enum restart_mode mode);

struct restart_state {
	int64_t count;
	bool manually_stopped;
	int64_t delay_ms; /* the last back-off, 0 = none yet */
};

/* The first back-off, its cap, and the run time that resets it. */
#define RESTART_DELAY_FIRST_MS 100
#define RESTART_DELAY_MAX_MS 60000
#define RESTART_RESET_AFTER_S 10

/* Read DIR/restart.json. A missing or unreadable file reads as zeros. */
void restart_state_load(const char *dir, struct restart_state *ret);
int restart_state_save(const char *dir, const struct restart_state *state,
		       struct berth_error **err);

/* Whether a run that ended with exit_code is to be restarted. */
bool restart_policy_wants(const struct restart_policy *policy,
			  const struct restart_state *state, int exit_code);

/*
 * Whether "berth start --all" starts a stopped container again, as
 * Docker does when its daemon starts: always in every case,
 * unless-stopped unless the user stopped it, on-failure unless the user
 * stopped it and only after a failed (or lost) run.
 */
bool restart_policy_wants_boot(const struct restart_policy *policy,
			       const struct restart_state *state,
			       int exit_code);

/*
 * The back-off before the next start: 100 ms, doubled after each quick
 * exit up to the cap, back to 100 ms after a run of 10 s or more.
 */
int64_t restart_next_delay(int64_t last_delay_ms, int64_t ran_seconds);

#endif

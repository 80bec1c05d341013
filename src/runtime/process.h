/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_RUNTIME_PROCESS_H
#define BERTH_RUNTIME_PROCESS_H

/*
 * The last steps of the container init (and of exec), in the container's
 * root: find the executable, then switch identity and privileges and
 * execve. Order matters: rlimits and the oom score while still
 * privileged; groups, gid, then uid while keeping capabilities; then the
 * five capability sets; then no_new_privs; seccomp last, so the filter
 * does not have to allow the setup syscalls.
 */

#include <sys/types.h>

#include "runtime/spec.h"
#include "util/error.h"

/*
 * Find args[0] using the PATH of the process environment, as execvp
 * would, inside the current root. The error carries ENOENT (exit 127)
 * or EACCES (exit 126) in errnum and the matching status.
 */
int process_find_executable(const struct spec_process *process, char **ret_path,
			    struct berth_error **err);

int process_apply_rlimits(const struct spec_process *process,
			  struct berth_error **err);

int process_set_oom_score_adj(const struct spec_process *process,
			      struct berth_error **err);

/*
 * Apply cwd, umask, user, capabilities, no_new_privs and the seccomp
 * filter (may be NULL), then execve path with args and env. Returns only
 * on failure.
 */
int process_exec(const struct spec_process *process, const char *path,
		 const struct spec_seccomp *seccomp, struct berth_error **err);

#endif

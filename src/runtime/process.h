/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_RUNTIME_PROCESS_H
#define BERTH_RUNTIME_PROCESS_H

/*
 * The last steps of the container init (and of exec), in the container's
 * root: find the executable, then switch identity and privileges and
 * execve. Calling sequence, while still privileged:
 *
 *	process_find_executable()   before waiting for "start"
 *	process_apply_rlimits()
 *	process_set_oom_score_adj()
 *	process_exec()
 *
 * process_exec() changes to cwd, sets the umask, drops the bounding set,
 * sets groups, gid and uid while keeping capabilities, sets the other
 * four capability sets, then no_new_privs. With noNewPrivileges the
 * seccomp filter is loaded last, so it need not allow the setup
 * syscalls. Without it the filter is loaded first, because loading then
 * needs CAP_SYS_ADMIN, which a non-root user has lost after setresuid.
 */

#include <stdbool.h>
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
 * Drop the capability bounding set to process->capabilities.bounding,
 * switch to process->user (supplementary groups, gid, uid), then set the
 * effective, permitted, inheritable and ambient sets. A process without
 * capabilities gets none. Needs CAP_SETPCAP, CAP_SETUID and CAP_SETGID.
 */
int process_set_identity(const struct spec_process *process,
			 struct berth_error **err);

/*
 * Apply cwd, umask, user, capabilities, no_new_privs and the seccomp
 * filter (may be NULL), then execve path with args and env. A missing
 * cwd is created when create_cwd is true; otherwise it fails with ENOENT
 * and status 126. Returns only on failure.
 */
int process_exec(const struct spec_process *process, const char *path,
		 bool create_cwd, const struct spec_seccomp *seccomp,
		 struct berth_error **err);

#endif

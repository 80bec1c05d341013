/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_RUNTIME_SECCOMP_H
#define BERTH_RUNTIME_SECCOMP_H

#include <jansson.h>
#include <stdint.h>

#include "runtime/spec.h"
#include "util/error.h"

/*
 * Compile and load the filter with libseccomp into the calling thread
 * (all threads with SECCOMP_FILTER_FLAG_TSYNC). The kernel accepts a
 * filter only from a thread that has no_new_privs set or holds
 * CAP_SYS_ADMIN; this function does not set no_new_privs itself.
 * Syscall names this libseccomp does not know are skipped.
 */
int seccomp_load_spec(const struct spec_seccomp *seccomp,
		      struct berth_error **err);

/*
 * Compile the filter without loading it, so that a profile libseccomp
 * rejects fails "create" in the parent instead of the container init.
 */
int seccomp_validate_spec(const struct spec_seccomp *seccomp,
			  struct berth_error **err);

/*
 * Map config.json names to libseccomp values; each returns -1 for an
 * unknown name and sets *ret (when not NULL) otherwise. An ERRNO action
 * returns errno_ret, a TRACE action passes it to the tracer.
 */
int seccomp_action_from_name(const char *name, unsigned int errno_ret,
			     uint32_t *ret);
int seccomp_operator_from_name(const char *name, uint32_t *ret);
int seccomp_arch_from_name(const char *name, uint32_t *ret);
/* *ret is the libseccomp filter attribute (enum scmp_filter_attr). */
int seccomp_flag_from_name(const char *name, uint32_t *ret);

/*
 * Return the default "linux.seccomp" object the engine puts in every
 * container's config.json: an allow list of syscalls, everything else
 * fails with EPERM. The caller owns the result.
 */
json_t *seccomp_default_profile(void);

#endif

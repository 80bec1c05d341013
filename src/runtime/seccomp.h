/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_RUNTIME_SECCOMP_H
#define BERTH_RUNTIME_SECCOMP_H

#include <jansson.h>

#include "runtime/spec.h"
#include "util/error.h"

/* Compile and load the filter with libseccomp into the calling thread. */
int seccomp_load_spec(const struct spec_seccomp *seccomp,
		      struct berth_error **err);

/*
 * Return the default "linux.seccomp" object the engine puts in every
 * container's config.json: an allow list of syscalls, everything else
 * fails with EPERM. The caller owns the result.
 */
json_t *seccomp_default_profile(void);

#endif

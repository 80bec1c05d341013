/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Capabilities the runtime cannot grant. A capability outside the
 * runtime's own bounding set can never enter the container process's
 * permitted set, so capset(2) in the process would fail after start.
 * runc warns about such a capability and leaves it out; berth does the
 * same, in the parent, before any process is created.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/prctl.h>

#include "runtime/runtime-internal.h"
#include "util/log.h"

/* The highest bit of the 64-bit masks in struct spec_capabilities. */
#define CAPABILITY_MASK_LAST 63

static void warn_not_bounded(int cap)
{
	const char *name = spec_capability_name(cap);

	if (name != NULL)
		log_warning("capability '%s' is not in the runtime's bounding "
			    "set, ignoring",
			    name);
	else
		log_warning("capability %d is not in the runtime's bounding "
			    "set, ignoring",
			    cap);
}

void runtime_drop_unbounded_capabilities(struct spec_capabilities *caps)
{
	uint64_t requested = caps->bounding | caps->effective |
			     caps->inheritable | caps->permitted |
			     caps->ambient;
	uint64_t missing = 0;

	for (int cap = 0; cap <= CAPABILITY_MASK_LAST; cap++) {
		uint64_t bit = UINT64_C(1) << cap;

		if (!(requested & bit))
			continue;

		/* EINVAL: the kernel does not know this capability either. */
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
			continue;

		warn_not_bounded(cap);
		missing |= bit;
	}

	caps->bounding &= ~missing;
	caps->effective &= ~missing;
	caps->inheritable &= ~missing;
	caps->permitted &= ~missing;
	caps->ambient &= ~missing;
}

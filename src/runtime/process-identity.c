/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "runtime/process.h"
#include "util/cleanup.h"

/*
 * Return the highest capability the running kernel supports, the last one
 * PR_CAPBSET_READ accepts. A newer kernel may support more than
 * SPEC_CAP_LAST, and those must leave the bounding set too, so the probe
 * also goes up. Probing works without /proc/sys/kernel/cap_last_cap,
 * which the container may not have.
 */
static int kernel_last_cap(void)
{
	int cap = SPEC_CAP_LAST;

	while (cap < 63 && prctl(PR_CAPBSET_READ, cap + 1, 0, 0, 0) >= 0)
		cap++;

	while (cap > 0 && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0)
		cap--;
	return cap;
}

/* Capabilities above SPEC_CAP_LAST have no name in berth's table. */
static const char *capability_label(int cap)
{
	const char *name = spec_capability_name(cap);

	return name != NULL ? name : "unnamed";
}

static int drop_bounding(uint64_t keep, int last, struct berth_error **err)
{
	int cap;

	for (cap = 0; cap <= last; cap++) {
		if (keep & (UINT64_C(1) << cap))
			continue;

		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return berth_error_set(err, errno,
					       "drop capability %d '%s' from "
					       "the bounding set",
					       cap, capability_label(cap));
	}
	return 0;
}

/*
 * Return whether /proc/self/setgroups contains "deny", as in a user
 * namespace set up for an unprivileged caller. Without /proc this cannot
 * be checked, and the result is true.
 */
static bool setgroups_denied(void)
{
	_cleanup_close_ int fd =
		open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
	char buf[8] = "";

	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0)
		return true;
	return strncmp(buf, "deny", 4) == 0;
}

/*
 * Without additionalGids the supplementary groups are cleared. Where
 * setgroups is denied in the user namespace that fails with EPERM, and
 * the groups the process still has are unmapped ones it cannot use. A
 * process that has no groups has nothing to clear either. Any other
 * EPERM would leave the caller's groups to the container, so it fails.
 */
static int set_groups(const struct spec_user *user, struct berth_error **err)
{
	int e;

	if (setgroups(user->n_additional_gids, user->additional_gids) == 0)
		return 0;

	e = errno;
	if (e == EPERM && user->n_additional_gids == 0 &&
	    (getgroups(0, NULL) == 0 || setgroups_denied()))
		return 0;

	return berth_error_set(err, e,
			       "set %zu supplementary groups from "
			       "process.user.additionalGids",
			       user->n_additional_gids);
}

static int switch_user(const struct spec_user *user, struct berth_error **err)
{
	/* Keep the permitted set across setresuid; capset trims it after. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return berth_error_set(err, errno, "set PR_SET_KEEPCAPS");

	if (set_groups(user, err) < 0)
		return -1;

	if (setresgid(user->gid, user->gid, user->gid) < 0)
		return berth_error_set(err, errno,
				       "set group id to process.user.gid "
				       "'%u', is it mapped in the user "
				       "namespace?",
				       (unsigned int)user->gid);

	if (setresuid(user->uid, user->uid, user->uid) < 0)
		return berth_error_set(err, errno,
				       "set user id to process.user.uid "
				       "'%u', is it mapped in the user "
				       "namespace?",
				       (unsigned int)user->uid);

	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return berth_error_set(err, errno, "clear PR_SET_KEEPCAPS");
	return 0;
}

static void cap_free_ptr(cap_t *caps)
{
	if (*caps != NULL)
		cap_free(*caps);
}

static int add_flags(cap_t caps, cap_flag_t flag, uint64_t mask, int last)
{
	cap_value_t cap;

	for (cap = 0; cap <= last; cap++) {
		if (!(mask & (UINT64_C(1) << cap)))
			continue;

		if (cap_set_flag(caps, flag, 1, &cap, CAP_SET) < 0)
			return -1;
	}
	return 0;
}

static int set_capability_sets(const struct spec_capabilities *c, int last,
			       struct berth_error **err)
{
	__attribute__((cleanup(cap_free_ptr))) cap_t caps = cap_init();

	if (caps == NULL)
		return berth_error_set(err, errno, "allocate capability sets");

	if (add_flags(caps, CAP_EFFECTIVE, c->effective, last) < 0 ||
	    add_flags(caps, CAP_PERMITTED, c->permitted, last) < 0 ||
	    add_flags(caps, CAP_INHERITABLE, c->inheritable, last) < 0)
		return berth_error_set(err, errno, "build capability sets");

	if (cap_set_proc(caps) < 0)
		return berth_error_set(err, errno,
				       "set the effective, permitted and "
				       "inheritable capabilities of "
				       "process.capabilities: effective must "
				       "be a subset of permitted, permitted "
				       "of the runtime's own set, and "
				       "inheritable of bounding");
	return 0;
}

static int raise_ambient(uint64_t ambient, int last, struct berth_error **err)
{
	int cap;

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    errno != EINVAL)
		return berth_error_set(err, errno,
				       "clear the ambient capabilities");

	for (cap = 0; cap <= last; cap++) {
		if (!(ambient & (UINT64_C(1) << cap)))
			continue;

		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			return berth_error_set(err, errno,
					       "raise ambient capability '%s', "
					       "add it to process.capabilities."
					       "permitted and .inheritable too",
					       capability_label(cap));
	}
	return 0;
}

/*
 * A process without a "capabilities" object gets none: an empty
 * bounding set and empty effective, permitted, inheritable and ambient
 * sets.
 */
int process_set_identity(const struct spec_process *process,
			 struct berth_error **err)
{
	static const struct spec_capabilities none;
	const struct spec_capabilities *c =
		process->has_capabilities ? &process->capabilities : &none;
	int last = kernel_last_cap();

	/* PR_CAPBSET_DROP needs CAP_SETPCAP, so it runs before setresuid. */
	if (drop_bounding(c->bounding, last, err) < 0)
		return -1;

	if (switch_user(&process->user, err) < 0)
		return -1;

	if (set_capability_sets(c, last, err) < 0)
		return -1;

	return raise_ambient(c->ambient, last, err);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.json mount options: the names of mount(8), split into mount(2)
 * flags, propagation flags, mount_setattr(2) attributes for the recursive
 * "r*" forms, and a data string with everything else.
 */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>

#include "runtime/rootfs-internal.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

#define ATIME_FLAGS (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)

enum option_kind {
	OPTION_FLAG,	    /* set or clear flag in flags */
	OPTION_ATIME,	    /* one atime mode, replacing the others */
	OPTION_PROPAGATION, /* replace the propagation */
	OPTION_ATTR,	    /* set or clear attr for mount_setattr */
	OPTION_ATTR_ATIME,  /* one recursive atime mode */
};

struct option_def {
	const char *name;
	enum option_kind kind;
	bool clear;
	unsigned long value;
};

static const struct option_def option_defs[] = {
	{"defaults", OPTION_FLAG, false, 0},
	{"ro", OPTION_FLAG, false, MS_RDONLY},
	{"rw", OPTION_FLAG, true, MS_RDONLY},
	{"nosuid", OPTION_FLAG, false, MS_NOSUID},
	{"suid", OPTION_FLAG, true, MS_NOSUID},
	{"nodev", OPTION_FLAG, false, MS_NODEV},
	{"dev", OPTION_FLAG, true, MS_NODEV},
	{"noexec", OPTION_FLAG, false, MS_NOEXEC},
	{"exec", OPTION_FLAG, true, MS_NOEXEC},
	{"sync", OPTION_FLAG, false, MS_SYNCHRONOUS},
	{"async", OPTION_FLAG, true, MS_SYNCHRONOUS},
	{"dirsync", OPTION_FLAG, false, MS_DIRSYNC},
	{"remount", OPTION_FLAG, false, MS_REMOUNT},
	{"mand", OPTION_FLAG, false, MS_MANDLOCK},
	{"nomand", OPTION_FLAG, true, MS_MANDLOCK},
	{"nosymfollow", OPTION_FLAG, false, MS_NOSYMFOLLOW},
	{"symfollow", OPTION_FLAG, true, MS_NOSYMFOLLOW},
	{"diratime", OPTION_FLAG, true, MS_NODIRATIME},
	{"nodiratime", OPTION_FLAG, false, MS_NODIRATIME},
	{"bind", OPTION_FLAG, false, MS_BIND},
	{"rbind", OPTION_FLAG, false, MS_BIND | MS_REC},
	{"atime", OPTION_ATIME, true, MS_NOATIME},
	{"noatime", OPTION_ATIME, false, MS_NOATIME},
	{"relatime", OPTION_ATIME, false, MS_RELATIME},
	{"norelatime", OPTION_ATIME, true, MS_RELATIME},
	{"strictatime", OPTION_ATIME, false, MS_STRICTATIME},
	{"nostrictatime", OPTION_ATIME, true, MS_STRICTATIME},
	{"private", OPTION_PROPAGATION, false, MS_PRIVATE},
	{"rprivate", OPTION_PROPAGATION, false, MS_PRIVATE | MS_REC},
	{"shared", OPTION_PROPAGATION, false, MS_SHARED},
	{"rshared", OPTION_PROPAGATION, false, MS_SHARED | MS_REC},
	{"slave", OPTION_PROPAGATION, false, MS_SLAVE},
	{"rslave", OPTION_PROPAGATION, false, MS_SLAVE | MS_REC},
	{"unbindable", OPTION_PROPAGATION, false, MS_UNBINDABLE},
	{"runbindable", OPTION_PROPAGATION, false, MS_UNBINDABLE | MS_REC},
	{"rro", OPTION_ATTR, false, MOUNT_ATTR_RDONLY},
	{"rrw", OPTION_ATTR, true, MOUNT_ATTR_RDONLY},
	{"rnosuid", OPTION_ATTR, false, MOUNT_ATTR_NOSUID},
	{"rsuid", OPTION_ATTR, true, MOUNT_ATTR_NOSUID},
	{"rnodev", OPTION_ATTR, false, MOUNT_ATTR_NODEV},
	{"rdev", OPTION_ATTR, true, MOUNT_ATTR_NODEV},
	{"rnoexec", OPTION_ATTR, false, MOUNT_ATTR_NOEXEC},
	{"rexec", OPTION_ATTR, true, MOUNT_ATTR_NOEXEC},
	{"rnodiratime", OPTION_ATTR, false, MOUNT_ATTR_NODIRATIME},
	{"rdiratime", OPTION_ATTR, true, MOUNT_ATTR_NODIRATIME},
	{"rnosymfollow", OPTION_ATTR, false, MOUNT_ATTR_NOSYMFOLLOW},
	{"rsymfollow", OPTION_ATTR, true, MOUNT_ATTR_NOSYMFOLLOW},
	{"rnoatime", OPTION_ATTR_ATIME, false, MOUNT_ATTR_NOATIME},
	{"rrelatime", OPTION_ATTR_ATIME, false, MOUNT_ATTR_RELATIME},
	{"rstrictatime", OPTION_ATTR_ATIME, false, MOUNT_ATTR_STRICTATIME},
};

static const struct option_def *find_option(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(option_defs); i++) {
		if (strcmp(option_defs[i].name, name) == 0)
			return &option_defs[i];
	}
	return NULL;
}

static void set_bits(unsigned long *flags, unsigned long value, bool clear)
{
	if (clear)
		*flags &= ~value;
	else
		*flags |= value;
}

static void set_attr(struct mount_options *o, unsigned int attr, bool clear)
{
	if (clear) {
		o->attr_set &= ~attr;
		o->attr_clr |= attr;
	} else {
		o->attr_set |= attr;
		o->attr_clr &= ~attr;
	}
}

static void apply_option(struct mount_options *o, const struct option_def *d)
{
	switch (d->kind) {
	case OPTION_FLAG:
		set_bits(&o->flags, d->value, d->clear);
		break;
	case OPTION_ATIME:
		/* The kernel takes one atime mode, so the last one named wins. */
		if (!d->clear)
			o->flags &= ~ATIME_FLAGS;
		set_bits(&o->flags, d->value, d->clear);
		o->atime_set = true;
		break;
	case OPTION_PROPAGATION:
		o->propagation = d->value;
		break;
	case OPTION_ATTR:
		set_attr(o, (unsigned int)d->value, d->clear);
		break;
	case OPTION_ATTR_ATIME:
		/* mount_setattr needs the whole atime field cleared first. */
		o->attr_set &= ~MOUNT_ATTR__ATIME;
		o->attr_set |= (unsigned int)d->value;
		o->attr_clr |= MOUNT_ATTR__ATIME;
		break;
	}
}

static void append_data(char **data, const char *option)
{
	char *joined = NULL;

	if (*data == NULL) {
		*data = xstrdup(option);
		return;
	}
	xasprintf(&joined, "%s,%s", *data, option);
	free(*data);
	*data = joined;
}

int mount_options_parse(char *const *options, struct mount_options *ret,
			struct berth_error **err)
{
	struct mount_options o = {0};

	for (size_t i = 0; options != NULL && options[i] != NULL; i++) {
		const char *name = options[i];
		const struct option_def *d = find_option(name);

		if (d != NULL) {
			apply_option(&o, d);
			continue;
		}

		if (strcmp(name, "tmpcopyup") == 0) {
			log_warning("mount option 'tmpcopyup' is not "
				    "supported, ignoring");
			continue;
		}

		if (strcmp(name, "idmap") == 0 || strcmp(name, "ridmap") == 0) {
			mount_options_clear(&o);
			return berth_error_set(err, ENOTSUP,
					       "mount option '%s' is not "
					       "supported; remove it",
					       name);
		}

		if (name[0] != '\0')
			append_data(&o.data, name);
	}

	*ret = o;
	return 0;
}

void mount_options_clear(struct mount_options *o)
{
	free(o->data);
	*o = (struct mount_options){0};
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_RUNTIME_CGROUP_INTERNAL_H
#define BERTH_RUNTIME_CGROUP_INTERNAL_H

/* Shared between cgroup.c and its v1 and v2 backends. */

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime/cgroup.h"

/* One mounted hierarchy the runtime uses. */
struct cgroup_hierarchy {
	char *mount;	    /* mount point, "/sys/fs/cgroup/memory" */
	char **controllers; /* v1 controllers and "name=X"; NULL on cgroup2 */
	char *own;	    /* the caller's cgroup inside this mount */
};

struct cgroup_layout {
	enum cgroup_mode mode;
	struct cgroup_hierarchy *hierarchies;
	size_t n;
};

int cgroup_layout_load(struct cgroup_layout *ret, struct berth_error **err);
void cgroup_layout_clear(struct cgroup_layout *l);

static inline void cleanup_layoutp(struct cgroup_layout *l)
{
	cgroup_layout_clear(l);
}

#define _cleanup_layout_ __attribute__((cleanup(cleanup_layoutp)))

/* The directory of the normalized path in hierarchy h. */
char *cgroup_hierarchy_dir(const struct cgroup_hierarchy *h, const char *path);
bool cgroup_hierarchy_has(const struct cgroup_hierarchy *h,
			  const char *controller);

/*
 * Write value to dir/file in one write(2), as cgroup files expect. The
 * error names the value and the file.
 */
int cgroup_write(const char *dir, const char *file, const char *value,
		 struct berth_error **err);
int cgroup_write_int(const char *dir, const char *file, int64_t value,
		     struct berth_error **err);
int cgroup_write_uint(const char *dir, const char *file, uint64_t value,
		      struct berth_error **err);
/* Write cpuset.cpus and cpuset.mems where linux.resources.cpu sets them. */
int cgroup_write_cpuset(const char *dir, const struct spec_cpu *c,
			struct berth_error **err);
/* Read dir/file without its trailing newline. */
int cgroup_read(const char *dir, const char *file, char **ret_value,
		struct berth_error **err);
bool cgroup_file_exists(const char *dir, const char *file);
void cgroup_sleep_ms(unsigned int ms);

/* Return the path of the next child cgroup of dir, which d lists. */
char *cgroup_next_child(DIR *d, const char *dir);

/* Copy cpuset.cpus and cpuset.mems of the parent into a new cpuset dir. */
int cgroup_v1_init_cpuset(const char *dir, struct berth_error **err);
int cgroup_v1_apply(const struct cgroup_hierarchy *h, const char *dir,
		    const struct spec_resources *r, struct berth_error **err);
int cgroup_v1_freeze(const char *dir, bool frozen, struct berth_error **err);
int cgroup_v1_stats(const struct cgroup_layout *l, const char *path,
		    struct cgroup_stats *ret, struct berth_error **err);

/*
 * Enable the available controllers in cgroup.subtree_control of every
 * level from mount down to the parent of dir.
 */
void cgroup_v2_enable_controllers(const char *mount, const char *dir);
/* Map v1 cpu.shares [2, 262144] onto cpu.weight [1, 10000] as runc does. */
uint64_t cgroup_v2_cpu_weight(uint64_t shares);
/*
 * Format memory.swap.max for m. The spec's swap is memory plus swap, as
 * on v1, while memory.swap.max counts swap alone; the rules follow runc's
 * ConvertMemorySwapToCgroupV2Value.
 */
int cgroup_v2_swap_max(const struct spec_memory *m, char *buf, size_t size,
		       struct berth_error **err);
int cgroup_v2_apply(const char *dir, const struct spec_resources *r,
		    struct berth_error **err);
/*
 * Enforce linux.resources.devices on the cgroup v2 directory dir with a
 * device BPF program, with the same result the rules have on v1.
 */
int cgroup_v2_apply_devices(const char *dir, const struct spec_resources *r,
			    struct berth_error **err);
int cgroup_v2_freeze(const char *dir, bool frozen, struct berth_error **err);
int cgroup_v2_stats(const char *dir, struct cgroup_stats *ret,
		    struct berth_error **err);

#endif

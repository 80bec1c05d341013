/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.resources.devices on cgroup v2. The unified tree has no devices
 * controller, so a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the
 * cgroup decides each open(2) and mknod(2) of a device node.
 *
 * The rules keep their v1 meaning. They are first replayed on an
 * emulated v1 device list, following devcgroup_update_access() in the
 * kernel's security/device_cgroup.c. A rule of type 'a' sets the
 * default and clears the list. A rule against the default adds its
 * access to the entry of the same type, major and minor, and a rule
 * along the default removes its access from that entry. The program
 * then checks the list entry by entry and ends with the default.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/cgroup-internal.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

#define ACCESS_ALL \
	(BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)

/* One entry of the emulated v1 device list; -1 matches any number. */
struct device_entry {
	char type; /* 'c' or 'b' */
	int64_t major;
	int64_t minor;
	unsigned int access; /* BPF_DEVCG_ACC_* bits */
};

struct device_list {
	bool allow_by_default;
	struct device_entry *entries;
	size_t n;
};

static unsigned int access_bits(const char *access)
{
	unsigned int bits = 0;

	/* A missing or empty access string means "rwm", as on v1. */
	if (access == NULL || access[0] == '\0')
		access = "rwm";

	for (const char *p = access; *p != '\0'; p++) {
		if (*p == 'r')
			bits |= BPF_DEVCG_ACC_READ;
		else if (*p == 'w')
			bits |= BPF_DEVCG_ACC_WRITE;
		else if (*p == 'm')
			bits |= BPF_DEVCG_ACC_MKNOD;
	}
	return bits;
}

static struct device_entry *find_entry(struct device_list *l, char type,
				       int64_t major, int64_t minor)
{
	for (size_t i = 0; i < l->n; i++) {
		struct device_entry *e = &l->entries[i];

		if (e->type == type && e->major == major && e->minor == minor)
			return e;
	}
	return NULL;
}

static void replay_rule(struct device_list *l, const struct spec_device_rule *r)
{
	unsigned int access = access_bits(r->access);
	struct device_entry *e;

	/* The kernel looks at nothing after the 'a' of such a rule. */
	if (r->type == 'a') {
		l->allow_by_default = r->allow;
		l->n = 0;
		return;
	}

	e = find_entry(l, r->type, r->major, r->minor);
	if (r->allow != l->allow_by_default) {
		if (e != NULL) {
			e->access |= access;
			return;
		}
		l->entries = xreallocarray(l->entries, l->n + 1,
					   sizeof(*l->entries));
		l->entries[l->n++] = (struct device_entry){r->type, r->major,
							   r->minor, access};
		return;
	}

	if (e == NULL)
		return;

	e->access &= ~access;
	if (e->access == 0)
		*e = l->entries[--l->n];
}

/*
 * The list starts where apply_devices() in cgroup-v1.c starts the rules,
 * after it writes "a" to devices.deny: deny by default and empty.
 */
static void build_device_list(const struct spec_resources *r,
			      struct device_list *ret)
{
	*ret = (struct device_list){.allow_by_default = false};
	for (size_t i = 0; i < r->n_devices; i++)
		replay_rule(ret, &r->devices[i]);
}

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off,
			    int32_t imm)
{
	return (struct bpf_insn){
		.code = code,
		.dst_reg = dst,
		.src_reg = src,
		.off = off,
		.imm = imm,
	};
}

/*
 * Registers: r1 the context, r2 the device type, r3 the requested
 * access, r4 major, r5 minor, r0 the scratch and return value.
 */
static void emit_prologue(struct bpf_insn *p, size_t *n)
{
	p[(*n)++] = insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1,
			 offsetof(struct bpf_cgroup_dev_ctx, access_type), 0);
	p[(*n)++] = insn(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0);
	p[(*n)++] = insn(BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
	p[(*n)++] = insn(BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);
	p[(*n)++] = insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1,
			 offsetof(struct bpf_cgroup_dev_ctx, major), 0);
	p[(*n)++] = insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1,
			 offsetof(struct bpf_cgroup_dev_ctx, minor), 0);
}

/*
 * The v1 controller decides as follows. On a deny-by-default list an
 * entry allows a request whose access it covers entirely. On an
 * allow-by-default list an entry denies a request that shares any
 * access with it.
 */
static void emit_entry(struct bpf_insn *p, size_t *n,
		       const struct device_entry *e, bool allow_by_default)
{
	const uint8_t jne = BPF_JMP32 | BPF_JNE | BPF_K;
	int devtype = e->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
	size_t start = *n;

	p[(*n)++] = insn(jne, BPF_REG_2, 0, 0, devtype);
	if (e->major >= 0)
		p[(*n)++] = insn(jne, BPF_REG_4, 0, 0, (int32_t)e->major);
	if (e->minor >= 0)
		p[(*n)++] = insn(jne, BPF_REG_5, 0, 0, (int32_t)e->minor);

	p[(*n)++] = insn(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_0, BPF_REG_3, 0, 0);
	if (allow_by_default) {
		p[(*n)++] = insn(BPF_ALU | BPF_AND | BPF_K, BPF_REG_0, 0, 0,
				 (int32_t)e->access);
		p[(*n)++] =
			insn(BPF_JMP32 | BPF_JEQ | BPF_K, BPF_REG_0, 0, 0, 0);
	} else {
		p[(*n)++] = insn(BPF_ALU | BPF_AND | BPF_K, BPF_REG_0, 0, 0,
				 (int32_t)(~e->access & ACCESS_ALL));
		p[(*n)++] = insn(jne, BPF_REG_0, 0, 0, 0);
	}

	p[(*n)++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0,
			 allow_by_default ? 0 : 1);
	p[(*n)++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);

	/* Every conditional jump of the entry goes on to the next entry. */
	for (size_t i = start; i < *n; i++) {
		if (BPF_CLASS(p[i].code) == BPF_JMP32)
			p[i].off = (int16_t)(*n - i - 1);
	}
}

/* Return the program for l; *ret_n receives its length. */
static struct bpf_insn *build_program(const struct device_list *l,
				      size_t *ret_n)
{
	/* Prologue, at most 8 per entry, and the final return. */
	struct bpf_insn *p = xcalloc(6 + 8 * l->n + 2, sizeof(*p));
	size_t n = 0;

	emit_prologue(p, &n);
	for (size_t i = 0; i < l->n; i++)
		emit_entry(p, &n, &l->entries[i], l->allow_by_default);
	p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0,
		      l->allow_by_default ? 1 : 0);
	p[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);

	*ret_n = n;
	return p;
}

static int load_program(const struct bpf_insn *p, size_t n,
			struct berth_error **err)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)p;
	attr.insn_cnt = (uint32_t)n;
	attr.license = (uint64_t)(uintptr_t) "GPL";

	fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0)
		return berth_error_set(err, errno,
				       "load the device cgroup BPF program "
				       "for linux.resources.devices, which "
				       "needs CAP_SYS_ADMIN and kernel 5.1 or "
				       "later");
	return fd;
}

int cgroup_v2_apply_devices(const char *dir, const struct spec_resources *r,
			    struct berth_error **err)
{
	_cleanup_free_ struct bpf_insn *program = NULL;
	_cleanup_error_ struct berth_error *load_err = NULL;
	_cleanup_close_ int prog_fd = -1;
	_cleanup_close_ int dir_fd = -1;
	struct device_list list;
	union bpf_attr attr;
	size_t n;

	if (r->n_devices == 0)
		return 0;

	build_device_list(r, &list);
	program = build_program(&list, &n);
	free(list.entries);

	prog_fd = load_program(program, n, &load_err);
	if (prog_fd < 0 && load_err->errnum == EPERM && geteuid() != 0) {
		/*
		 * An unprivileged caller cannot load the program. Without
		 * CAP_MKNOD it cannot create device nodes either, only reach
		 * those bind-mounted in, so the rules are skipped.
		 */
		log_debug("%s, ignoring", load_err->msg);
		return 0;
	}

	if (prog_fd < 0) {
		berth_error_move(err, &load_err);
		return -1;
	}

	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		return berth_error_set(err, errno, "open '%s'", dir);

	/* The kernel keeps the program while the cgroup exists. */
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)dir_fd;
	attr.attach_bpf_fd = (uint32_t)prog_fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr)) < 0)
		return berth_error_set(err, errno,
				       "attach the device cgroup BPF program "
				       "to '%s'",
				       dir);
	return 0;
}

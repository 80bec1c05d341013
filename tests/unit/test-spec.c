/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "runtime/seccomp.h"
#include "runtime/spec-internal.h"
#include "runtime/spec.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/json.h"
#include "util/xalloc.h"

/*
 * Test documents are written with single quotes to keep them readable in
 * C; quote() turns them into JSON. None of them contains a quote inside
 * a string.
 */
static char *quote(const char *text)
{
	char *s = xstrdup(text);
	char *p;

	for (p = s; *p != '\0'; p++) {
		if (*p == '\'')
			*p = '"';
	}
	return s;
}

static const char full_config[] =
	"{'ociVersion': '1.1.0',"
	" 'process': {"
	"  'terminal': false,"
	"  'consoleSize': {'height': 25, 'width': 80},"
	"  'user': {'uid': 1000, 'gid': 100, 'umask': 18,"
	"           'additionalGids': [5, 27]},"
	"  'args': ['/bin/sh', '-c', 'echo hi'],"
	"  'env': ['PATH=/usr/bin:/bin', 'TERM=xterm', 'EMPTY='],"
	"  'cwd': '/home/user',"
	"  'capabilities': {"
	"   'bounding': ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],"
	"   'effective': ['CAP_KILL'], 'inheritable': ['CAP_KILL'],"
	"   'permitted': ['CAP_KILL', 'CAP_CHOWN'], 'ambient': ['CAP_KILL']},"
	"  'rlimits': [{'type': 'RLIMIT_NOFILE', 'hard': 4096, 'soft': 1024},"
	"              {'type': 'RLIMIT_CORE', 'hard': 0, 'soft': 0}],"
	"  'noNewPrivileges': true, 'oomScoreAdj': 100,"
	"  'apparmorProfile': 'berth-default',"
	"  'selinuxLabel': 'system_u:system_r:container_t:s0'},"
	" 'root': {'path': 'rootfs', 'readonly': true},"
	" 'hostname': 'box', 'domainname': 'example.org',"
	" 'mounts': ["
	"  {'destination': '/proc', 'type': 'proc', 'source': 'proc'},"
	"  {'destination': '/data//sub/../x/', 'type': 'bind',"
	"   'source': '/srv/data', 'options': ['rbind', 'ro']}],"
	" 'hooks': {"
	"  'prestart': [{'path': '/usr/bin/hook', 'args': ['hook', 'pre'],"
	"                'env': ['A=1'], 'timeout': 5}],"
	"  'poststop': [{'path': '/usr/bin/hook'}]},"
	" 'annotations': {'org.example.key': 'value'},"
	" 'linux': {"
	"  'namespaces': [{'type': 'pid'},"
	"                 {'type': 'network', 'path': '/run/netns/a'},"
	"                 {'type': 'mount'}, {'type': 'ipc'}, {'type': 'uts'},"
	"                 {'type': 'cgroup'}, {'type': 'user'},"
	"                 {'type': 'time'}],"
	"  'uidMappings': [{'containerID': 0, 'hostID': 100000,"
	"                   'size': 65536}],"
	"  'gidMappings': [{'containerID': 0, 'hostID': 200000,"
	"                   'size': 65536}],"
	"  'devices': [{'path': '/dev/fuse', 'type': 'c', 'major': 10,"
	"               'minor': 229, 'fileMode': 438, 'uid': 0, 'gid': 0},"
	"              {'path': '/dev/fifo', 'type': 'p'}],"
	"  'cgroupsPath': '/berth/abc',"
	"  'resources': {"
	"   'memory': {'limit': 536870912, 'reservation': 268435456,"
	"              'swap': 1073741824, 'swappiness': 10,"
	"              'disableOOMKiller': true},"
	"   'cpu': {'shares': 512, 'quota': 50000, 'period': 100000,"
	"           'cpus': '0-1', 'mems': '0'},"
	"   'pids': {'limit': 100},"
	"   'devices': [{'allow': false, 'access': 'rwm'},"
	"               {'allow': true, 'type': 'c', 'major': 10,"
	"                'minor': 229, 'access': 'rw'}],"
	"   'unified': {'memory.high': '400000000'}},"
	"  'rootfsPropagation': 'rslave',"
	"  'maskedPaths': ['/proc/kcore'], 'readonlyPaths': ['/proc/sys'],"
	"  'seccomp': {"
	"   'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 1,"
	"   'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],"
	"   'flags': ['SECCOMP_FILTER_FLAG_LOG'],"
	"   'syscalls': ["
	"    {'names': ['read', 'write', 'exit_group', 'no_such_syscall'],"
	"     'action': 'SCMP_ACT_ALLOW'},"
	"    {'names': ['personality'], 'action': 'SCMP_ACT_ALLOW',"
	"     'args': [{'index': 0, 'value': 8, 'op': 'SCMP_CMP_EQ'}]},"
	"    {'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO',"
	"     'errnoRet': 38}]},"
	"  'sysctl': {'net.ipv4.ip_forward': '1'},"
	"  'mountLabel': 'system_u:object_r:container_file_t:s0'}}";

static int parse_text(const char *text, struct spec **ret,
		      struct berth_error **err)
{
	return spec_parse(text, strlen(text), "'config.json'", ret, err);
}

static void parse_full_config_top_level(void **state)
{
	_cleanup_free_ char *text = quote(full_config);
	_cleanup_spec_ struct spec *spec = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(parse_text(text, &spec, &err), 0);
	assert_null(err);
	assert_string_equal(spec->oci_version, "1.1.0");
	assert_string_equal(spec->root_path, "rootfs");
	assert_true(spec->root_readonly);
	assert_string_equal(spec->hostname, "box");
	assert_string_equal(spec->domainname, "example.org");

	assert_int_equal(spec->n_mounts, 2);
	assert_string_equal(spec->mounts[0].destination, "/proc");
	assert_null(spec->mounts[0].options[0]);
	assert_string_equal(spec->mounts[1].destination, "/data/x");
	assert_string_equal(spec->mounts[1].source, "/srv/data");
	assert_string_equal(spec->mounts[1].options[1], "ro");

	assert_int_equal(spec->hooks.prestart.n_hooks, 1);
	assert_string_equal(spec->hooks.prestart.hooks[0].args[1], "pre");
	assert_int_equal(spec->hooks.prestart.hooks[0].timeout, 5);
	assert_int_equal(spec->hooks.poststop.n_hooks, 1);
	assert_int_equal(spec->hooks.poststart.n_hooks, 0);
	assert_string_equal(json_string_value(json_object_get(
				    spec->annotations, "org.example.key")),
			    "value");
}

static void parse_full_config_process(void **state)
{
	_cleanup_free_ char *text = quote(full_config);
	_cleanup_spec_ struct spec *spec = NULL;
	struct berth_error *err = NULL;
	struct spec_process *p;

	assert_int_equal(parse_text(text, &spec, &err), 0);
	p = spec->process;
	assert_non_null(p);
	assert_false(p->terminal);
	assert_int_equal(p->console_width, 80);
	assert_int_equal(p->user.uid, 1000);
	assert_int_equal(p->user.gid, 100);
	assert_true(p->user.has_umask);
	assert_int_equal(p->user.umask, 022);
	assert_int_equal(p->user.n_additional_gids, 2);
	assert_int_equal(p->user.additional_gids[1], 27);
	assert_string_equal(p->args[2], "echo hi");
	assert_null(p->args[3]);
	assert_string_equal(p->env[2], "EMPTY=");
	assert_string_equal(p->cwd, "/home/user");

	assert_true(p->has_capabilities);
	assert_int_equal(p->capabilities.bounding,
			 (1ULL << CAP_CHOWN) | (1ULL << CAP_KILL) |
				 (1ULL << CAP_NET_BIND_SERVICE));
	assert_int_equal(p->capabilities.effective, 1ULL << CAP_KILL);
	assert_int_equal(p->capabilities.ambient, 1ULL << CAP_KILL);

	assert_int_equal(p->n_rlimits, 2);
	assert_int_equal(p->rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(p->rlimits[0].soft, 1024);
	assert_int_equal(p->rlimits[0].hard, 4096);
	assert_int_equal(p->rlimits[1].resource, RLIMIT_CORE);
	assert_true(p->no_new_privileges);
	assert_true(p->has_oom_score_adj);
	assert_int_equal(p->oom_score_adj, 100);
	assert_string_equal(p->apparmor_profile, "berth-default");
}

static void parse_full_config_linux(void **state)
{
	_cleanup_free_ char *text = quote(full_config);
	_cleanup_spec_ struct spec *spec = NULL;
	struct berth_error *err = NULL;
	const struct spec_linux *lx;
	const struct spec_namespace *ns;

	assert_int_equal(parse_text(text, &spec, &err), 0);
	lx = &spec->linux;
	assert_int_equal(lx->n_namespaces, 8);
	ns = spec_find_namespace(spec, CLONE_NEWNET);
	assert_non_null(ns);
	assert_string_equal(ns->path, "/run/netns/a");
	assert_non_null(spec_find_namespace(spec, CLONE_NEWUSER));
	assert_null(spec_find_namespace(spec, CLONE_NEWPID)->path);

	assert_int_equal(lx->n_uid_mappings, 1);
	assert_int_equal(lx->uid_mappings[0].host_id, 100000);
	assert_int_equal(lx->gid_mappings[0].size, 65536);
	assert_int_equal(lx->n_devices, 2);
	assert_int_equal(lx->devices[0].type, 'c');
	assert_int_equal(lx->devices[0].minor, 229);
	assert_true(lx->devices[0].has_file_mode);
	assert_int_equal(lx->devices[0].file_mode, 0666);
	assert_int_equal(lx->devices[1].type, 'p');
	assert_string_equal(lx->cgroups_path, "/berth/abc");
	assert_int_equal(lx->rootfs_propagation, MS_SLAVE | MS_REC);
	assert_string_equal(lx->masked_paths[0], "/proc/kcore");
	assert_string_equal(lx->readonly_paths[0], "/proc/sys");
	assert_int_equal(lx->n_sysctls, 1);
	assert_string_equal(lx->sysctls[0].key, "net.ipv4.ip_forward");
	assert_string_equal(lx->mount_label,
			    "system_u:object_r:container_file_t:s0");
}

static void parse_full_config_resources(void **state)
{
	_cleanup_free_ char *text = quote(full_config);
	_cleanup_spec_ struct spec *spec = NULL;
	struct berth_error *err = NULL;
	const struct spec_resources *r;

	assert_int_equal(parse_text(text, &spec, &err), 0);
	assert_true(spec->linux.has_resources);
	r = &spec->linux.resources;
	assert_int_equal(r->memory.limit, 536870912);
	assert_int_equal(r->memory.swappiness, 10);
	assert_true(r->memory.disable_oom_killer);
	assert_int_equal(r->cpu.shares, 512);
	assert_int_equal(r->cpu.quota, 50000);
	assert_string_equal(r->cpu.cpus, "0-1");
	assert_int_equal(r->pids_limit, 100);
	assert_int_equal(r->n_devices, 2);
	assert_false(r->devices[0].allow);
	assert_int_equal(r->devices[0].type, 'a');
	assert_int_equal(r->devices[0].major, -1);
	assert_true(r->devices[1].allow);
	assert_string_equal(r->devices[1].access, "rw");
	assert_string_equal(
		json_string_value(json_object_get(r->unified, "memory.high")),
		"400000000");
}

static void parse_full_config_seccomp(void **state)
{
	_cleanup_free_ char *text = quote(full_config);
	_cleanup_spec_ struct spec *spec = NULL;
	struct berth_error *err = NULL;
	const struct spec_seccomp *s;

	assert_int_equal(parse_text(text, &spec, &err), 0);
	s = spec->linux.seccomp;
	assert_non_null(s);
	assert_string_equal(s->default_action, "SCMP_ACT_ERRNO");
	assert_true(s->has_default_errno_ret);
	assert_int_equal(s->default_errno_ret, 1);
	assert_string_equal(s->architectures[1], "SCMP_ARCH_X86");
	assert_int_equal(s->n_syscalls, 3);
	assert_int_equal(s->syscalls[1].n_args, 1);
	assert_string_equal(s->syscalls[1].args[0].op, "SCMP_CMP_EQ");
	assert_int_equal(s->syscalls[2].errno_ret, 38);

	/* An unknown syscall name is skipped, not an error. */
	assert_int_equal(seccomp_validate_spec(s, &err), 0);
	assert_null(err);
}

static void parse_minimal_config_defaults(void **state)
{
	_cleanup_free_ char *text =
		quote("{'ociVersion': '1.0.2-dev', 'root': {'path': '/r'},"
		      " 'process': {'args': ['sh'], 'cwd': '/'}}");
	_cleanup_spec_ struct spec *spec = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(parse_text(text, &spec, &err), 0);
	assert_false(spec->root_readonly);
	assert_non_null(spec->process->env);
	assert_null(spec->process->env[0]);
	assert_false(spec->process->has_capabilities);
	assert_false(spec->process->has_oom_score_adj);
	assert_false(spec->linux.has_resources);
	assert_int_equal(spec->linux.resources.memory.limit, -1);
	assert_int_equal(spec->linux.resources.pids_limit, -1);
	assert_null(spec->linux.seccomp);
	assert_int_equal(spec->n_mounts, 0);
	assert_null(spec->annotations);
}

/* A null value reads as an absent field, never as 0. */
static void parse_null_fields_as_absent(void **state)
{
	_cleanup_free_ char *text = quote(
		"{'ociVersion': '1.0.2', 'root': {'path': '/r'},"
		" 'process': {'args': ['sh'], 'cwd': '/', 'oomScoreAdj': null,"
		"  'user': {'uid': 7, 'gid': 8, 'umask': null}},"
		" 'linux': {'devices': [{'path': '/dev/x', 'type': 'c',"
		"   'major': 1, 'minor': 2, 'fileMode': null, 'uid': null}],"
		"  'resources': {'memory': {'swappiness': null}}}}");
	_cleanup_spec_ struct spec *spec = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(parse_text(text, &spec, &err), 0);
	assert_int_equal(spec->process->user.uid, 7);
	assert_int_equal(spec->process->user.gid, 8);
	assert_false(spec->process->user.has_umask);
	assert_false(spec->process->has_oom_score_adj);
	assert_false(spec->linux.devices[0].has_file_mode);
	assert_int_equal(spec->linux.devices[0].uid, 0);
	assert_int_equal(spec->linux.resources.memory.swappiness, -1);
}

static void parse_without_process(void **state)
{
	_cleanup_free_ char *text =
		quote("{'ociVersion': '1.2.0', 'root': {'path': 'rootfs'}}");
	_cleanup_spec_ struct spec *spec = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(parse_text(text, &spec, &err), 0);
	assert_null(spec->process);
}

static void parse_process_object_alone(void **state)
{
	_cleanup_free_ char *text =
		quote("{'args': ['ls', '-l'], 'cwd': '/tmp', 'env': ['A=b'],"
		      " 'user': {'uid': 5}}");
	_cleanup_json_ json_t *obj = json_loads(text, 0, NULL);
	struct spec_process *p = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(spec_parse_process(obj, "process", &p, &err), 0);
	assert_string_equal(p->args[1], "-l");
	assert_int_equal(p->user.uid, 5);
	assert_false(p->user.has_umask);
	spec_process_free(p);
	p = NULL;

	json_object_set_new(obj, "cwd", json_string("tmp"));
	assert_int_equal(spec_parse_process(obj, "process", &p, &err), -1);
	assert_null(p);
	assert_string_equal(err->msg, "process.cwd: path 'tmp' is not "
				      "absolute, use a path that starts "
				      "with '/'");
	berth_error_free(&err);
}

/*
 * One field changed in full_config, and the message the parser must
 * give. "path" is a dotted path of object keys; a NULL value deletes it.
 */
struct bad_case {
	const char *path;
	const char *value;
	const char *message;
};

static const struct bad_case bad_cases[] = {
	{"ociVersion", NULL,
	 "'config.json': ociVersion: missing required "
	 "field"},
	{"ociVersion", "'2.0.0'",
	 "'config.json': ociVersion: unsupported "
	 "version '2.0.0'"},
	{"ociVersion", "1", "'config.json': ociVersion: expected a string"},
	{"root", NULL, "'config.json': root: missing required field"},
	{"root.path", NULL,
	 "'config.json': root.path: missing required "
	 "field"},
	{"root.path", "''", "root.path: expected a path"},
	{"process.args", "[]",
	 "'config.json': process.args: expected at "
	 "least one element"},
	{"process.args", NULL, "process.args: missing required field"},
	{"process.args", "[1]", "process.args[0]: expected a string"},
	{"process.cwd", "'home'",
	 "'config.json': process.cwd: path 'home' "
	 "is not absolute"},
	{"process.cwd", NULL, "process.cwd: missing required field"},
	{"process.env", "['PATH=/bin', 'NOVALUE']",
	 "'config.json': process.env[1]: expected \"KEY=VALUE\", got "
	 "'NOVALUE'"},
	{"process.env", "['=x']", "process.env[0]: expected \"KEY=VALUE\""},
	{"process.capabilities.effective", "['CAP_KILL', 'CAP_FLY']",
	 "'config.json': process.capabilities.effective[1]: unknown "
	 "capability 'CAP_FLY'"},
	{"process.capabilities.bounding", "'CAP_KILL'",
	 "process.capabilities.bounding: expected an array"},
	{"process.rlimits", "[{'type': 'RLIMIT_FLY', 'soft': 1, 'hard': 1}]",
	 "'config.json': process.rlimits[0].type: unknown rlimit "
	 "'RLIMIT_FLY'"},
	{"process.rlimits",
	 "[{'type': 'RLIMIT_NOFILE', 'soft': 2048, 'hard': 1024}]",
	 "'config.json': process.rlimits[0]: soft limit 2048 of "
	 "'RLIMIT_NOFILE' is above its hard limit 1024"},
	{"process.rlimits", "[{'type': 'RLIMIT_NOFILE', 'soft': 1}]",
	 "process.rlimits[0].hard: missing required field"},
	{"process.rlimits",
	 "[{'type': 'RLIMIT_CORE', 'soft': 0, 'hard': 0},"
	 " {'type': 'RLIMIT_CORE', 'soft': 0, 'hard': 0}]",
	 "process.rlimits[1].type: duplicate rlimit 'RLIMIT_CORE'"},
	{"process.user.uid", "'1000'",
	 "'config.json': process.user.uid: "
	 "expected an unsigned integer"},
	{"process.user.gid", "-1",
	 "process.user.gid: value -1 out of "
	 "range"},
	{"process.user.additionalGids", "['a']",
	 "process.user.additionalGids[0]: expected a group id"},
	{"process.terminal", "'yes'",
	 "process.terminal: expected a "
	 "boolean"},
	{"process.oomScoreAdj", "1001",
	 "process.oomScoreAdj: value 1001 "
	 "out of range -1000..1000"},
	{"process", "[]", "'config.json': process: expected an object"},
	{"mounts", "[{'destination': 'proc', 'type': 'proc'}]",
	 "'config.json': mounts[0].destination: path 'proc' is not "
	 "absolute"},
	{"mounts", "[{'type': 'proc'}]",
	 "mounts[0].destination: missing "
	 "required field"},
	{"mounts", "[{'destination': '/x', 'options': 'ro'}]",
	 "mounts[0].options: expected an array"},
	{"hooks.prestart", "[{'path': 'hook'}]",
	 "hooks.prestart[0].path: path 'hook' is not absolute"},
	{"hooks.poststop", "[{'path': '/h', 'timeout': 0}]",
	 "hooks.poststop[0].timeout: expected a number of seconds above 0"},
	{"annotations", "{'a': 1}", "annotations.a: expected a string"},
	{"linux.namespaces", "[{'type': 'pidx'}]",
	 "'config.json': linux.namespaces[0].type: unknown namespace type "
	 "'pidx'"},
	{"linux.namespaces",
	 "[{'type': 'pid'}, {'type': 'ipc'}, "
	 "{'type': 'pid'}]",
	 "'config.json': linux.namespaces[2].type: duplicate namespace "
	 "'pid'"},
	{"linux.namespaces", "[{'type': 'network', 'path': 'netns'}]",
	 "linux.namespaces[0].path: path 'netns' is not absolute"},
	{"linux.uidMappings", "[{'containerID': 0, 'hostID': 1}]",
	 "linux.uidMappings[0].size: missing required field"},
	{"linux.uidMappings", "[{'containerID': 0, 'hostID': 1, 'size': 0}]",
	 "linux.uidMappings[0]: invalid mapping of 0 ids"},
	{"linux.gidMappings",
	 "[{'containerID': 0, 'hostID': 4294967295, 'size': 1}]",
	 "linux.gidMappings[0]: invalid mapping of 1 ids from '0' to "
	 "'4294967295'"},
	{"process.rlimits",
	 "[{'type': 'RLIMIT_NOFILE', 'soft': 1,"
	 " 'hard': null}]",
	 "process.rlimits[0].hard: missing required field"},
	{"linux.resources.devices",
	 "[{'allow': true, 'type': 'c', 'major': -2, 'access': 'r'}]",
	 "linux.resources.devices[0]: device number -2:-1 out of range"},
	{"linux.devices",
	 "[{'path': '/dev/x', 'type': 'x', 'major': 1, "
	 "'minor': 1}]",
	 "linux.devices[0].type: unknown device type 'x'"},
	{"linux.devices", "[{'path': '/dev/x', 'type': 'c', 'major': 1}]",
	 "linux.devices[0].minor: missing required field"},
	{"linux.devices", "[{'path': 'dev/x', 'type': 'p'}]",
	 "linux.devices[0].path: path 'dev/x' is not absolute"},
	{"linux.rootfsPropagation", "'sideways'",
	 "'config.json': linux.rootfsPropagation: unknown propagation "
	 "'sideways'"},
	{"linux.maskedPaths", "['proc/kcore']",
	 "linux.maskedPaths[0]: path 'proc/kcore' is not absolute"},
	{"linux.resources.memory.limit", "'1g'",
	 "linux.resources.memory.limit: expected an integer"},
	{"linux.resources.memory.swappiness", "101",
	 "linux.resources.memory.swappiness: value 101 out of range"},
	{"linux.resources.devices", "[{'allow': true, 'access': 'rwx'}]",
	 "linux.resources.devices[0].access: invalid access 'rwx'"},
	{"linux.resources.devices", "[{'access': 'r'}]",
	 "linux.resources.devices[0].allow: missing required field"},
	{"linux.resources.unified", "{'../escape': '1'}",
	 "linux.resources.unified: invalid cgroup file name '../escape'"},
	{"linux.sysctl", "{'kernel.shmmax': 5}",
	 "linux.sysctl.kernel.shmmax: expected a string"},
	{"linux.seccomp.defaultAction", "'SCMP_ACT_MAYBE'",
	 "'config.json': linux.seccomp.defaultAction: unknown seccomp action "
	 "'SCMP_ACT_MAYBE'"},
	{"linux.seccomp.syscalls",
	 "[{'names': ['read'], 'action': 'SCMP_ACT_NOTIFY'}]",
	 "linux.seccomp.syscalls[0].action: unknown seccomp action "
	 "'SCMP_ACT_NOTIFY'"},
	{"linux.seccomp.syscalls",
	 "[{'names': ['read'], 'action': 'SCMP_ACT_ALLOW',"
	 "  'args': [{'index': 0, 'value': 1, 'op': 'SCMP_CMP_ABOUT'}]}]",
	 "linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator "
	 "'SCMP_CMP_ABOUT'"},
	{"linux.seccomp.syscalls",
	 "[{'names': ['read'], 'action': 'SCMP_ACT_ALLOW',"
	 "  'args': [{'index': 6, 'value': 1, 'op': 'SCMP_CMP_EQ'}]}]",
	 "linux.seccomp.syscalls[0].args[0].index: value 6 out of range "
	 "0..5"},
	{"linux.seccomp.syscalls",
	 "[{'names': [], 'action': 'SCMP_ACT_ALLOW'}]",
	 "linux.seccomp.syscalls[0].names: expected at least one syscall "
	 "name"},
	{"linux.seccomp.architectures", "['SCMP_ARCH_Z80']",
	 "linux.seccomp.architectures[0]: unknown seccomp architecture "
	 "'SCMP_ARCH_Z80'"},
	{"linux.seccomp.flags", "['SECCOMP_FILTER_FLAG_FAST']",
	 "linux.seccomp.flags[0]: unknown seccomp flag"},
	{"linux.seccomp.listenerPath", "'/run/l.sock'",
	 "linux.seccomp.listenerPath: seccomp user notification is not "
	 "supported"},
	{"linux", "[]", "'config.json': linux: expected an object"},
};

/* Set or delete the member at a dotted path of object keys. */
static void edit_member(json_t *root, const char *path, json_t *value)
{
	_cleanup_free_ char *copy = xstrdup(path);
	json_t *obj = root;
	char *key = copy;
	char *dot;

	while ((dot = strchr(key, '.')) != NULL) {
		*dot = '\0';
		obj = json_object_get(obj, key);
		assert_non_null(obj);
		key = dot + 1;
	}

	if (value == NULL)
		json_object_del(obj, key);
	else
		json_object_set_new(obj, key, value);
}

static void check_bad_case(const struct bad_case *c)
{
	_cleanup_free_ char *text = quote(full_config);
	_cleanup_json_ json_t *root = NULL;
	_cleanup_free_ char *edited = NULL;
	_cleanup_spec_ struct spec *spec = NULL;
	struct berth_error *err = NULL;
	json_t *value = NULL;

	root = json_loads(text, 0, NULL);
	assert_non_null(root);
	if (c->value != NULL) {
		_cleanup_free_ char *v = quote(c->value);

		value = json_loads(v, JSON_DECODE_ANY, NULL);
		assert_non_null(value);
	}
	edit_member(root, c->path, value);
	edited = json_dumps(root, 0);

	assert_int_equal(parse_text(edited, &spec, &err), -1);
	assert_null(spec);
	assert_non_null(err);
	if (strstr(err->msg, c->message) == NULL)
		fail_msg("%s: expected '%s' in '%s'", c->path, c->message,
			 err->msg);
	berth_error_free(&err);
}

static void bad_fields_are_named(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad_cases); i++)
		check_bad_case(&bad_cases[i]);
}

static void bad_documents(void **state)
{
	static const char *const docs[] = {
		"",
		"[]",
		"{",
		"\"x\"",
		"{\"ociVersion\": \"1.0.0\", \"a\": 1, "
		"\"a\": 2}",
	};
	struct berth_error *err = NULL;
	struct spec *spec = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(docs); i++) {
		assert_int_equal(parse_text(docs[i], &spec, &err), -1);
		assert_non_null(strstr(err->msg, "'config.json'"));
		berth_error_free(&err);
	}
}

static void load_missing_file(void **state)
{
	struct berth_error *err = NULL;
	struct spec *spec = NULL;

	assert_int_equal(spec_load("/nonexistent/config.json", &spec, &err),
			 -1);
	assert_int_equal(err->errnum, ENOENT);
	assert_non_null(strstr(err->msg, "/nonexistent/config.json"));
	berth_error_free(&err);
}

static void default_spec_round_trips(void **state)
{
	_cleanup_json_ json_t *j = spec_default_json();
	_cleanup_free_ char *text = json_dumps(j, 0);
	_cleanup_spec_ struct spec *spec = NULL;
	struct berth_error *err = NULL;
	const struct spec_process *p;

	assert_int_equal(parse_text(text, &spec, &err), 0);
	p = spec->process;
	assert_true(p->terminal);
	assert_string_equal(p->args[0], "sh");
	assert_string_equal(p->env[1], "TERM=xterm");
	assert_string_equal(p->cwd, "/");
	assert_true(p->no_new_privileges);
	assert_int_equal(p->n_rlimits, 1);
	assert_int_equal(p->rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(p->rlimits[0].hard, 1024);
	assert_int_equal(__builtin_popcountll(p->capabilities.bounding), 14);
	assert_true(p->capabilities.bounding & (1ULL << CAP_NET_RAW));
	assert_false(p->capabilities.bounding & (1ULL << CAP_SYS_ADMIN));
	assert_int_equal(p->capabilities.effective, p->capabilities.bounding);
	assert_int_equal(p->capabilities.permitted, p->capabilities.bounding);

	assert_string_equal(spec->root_path, "rootfs");
	assert_true(spec->root_readonly);
	assert_int_equal(spec->n_mounts, 7);
	assert_string_equal(spec->mounts[6].destination, "/sys/fs/cgroup");
	assert_int_equal(spec->linux.n_namespaces, 6);
	assert_non_null(spec_find_namespace(spec, CLONE_NEWCGROUP));
	assert_null(spec_find_namespace(spec, CLONE_NEWUSER));
	assert_string_equal(spec->linux.masked_paths[0], "/proc/acpi");
	assert_string_equal(spec->linux.readonly_paths[4],
			    "/proc/sysrq-trigger");
	assert_int_equal(spec->linux.resources.n_devices, 1);
	assert_false(spec->linux.resources.devices[0].allow);
}

static void large_integers_parse_exactly(void **state)
{
	_cleanup_free_ char *text = quote(
		"{'ociVersion': '1.1.0', 'root': {'path': 'r'},"
		" 'hostname': '18446744073709551615',"
		" 'annotations': {'a': '1.18446744073709551615'},"
		" 'x-extension': [1.18446744073709551615, 2e18],"
		" 'process': {'args': ['sh'], 'cwd': '/', 'rlimits': ["
		"  {'type': 'RLIMIT_CORE', 'soft': 18446744073709551615,"
		"   'hard': 18446744073709551615},"
		"  {'type': 'RLIMIT_AS', 'soft': 9223372036854775807,"
		"   'hard': 9223372036854775808}]},"
		" 'linux': {'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW',"
		"  'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_KILL',"
		"   'args': [{'index': 1, 'value': 18446744069414584320,"
		"             'valueTwo': 1.5e-3,"
		"             'op': 'SCMP_CMP_MASKED_EQ'}]}]}}}");
	_cleanup_spec_ struct spec *spec = NULL;
	struct berth_error *err = NULL;
	char *p;

	/* valueTwo is a real on purpose: it must stay invalid. */
	assert_int_equal(parse_text(text, &spec, &err), -1);
	assert_non_null(strstr(err->msg, "valueTwo: expected an unsigned "
					 "integer"));
	berth_error_free(&err);

	p = strstr(text, "1.5e-3");
	memcpy(p, "     0", 6);
	assert_int_equal(parse_text(text, &spec, &err), 0);
	assert_string_equal(spec->hostname, "18446744073709551615");
	assert_int_equal(spec->process->rlimits[0].soft, UINT64_MAX);
	assert_int_equal(spec->process->rlimits[0].hard, UINT64_MAX);
	assert_int_equal(spec->process->rlimits[1].soft, INT64_MAX);
	assert_int_equal(spec->process->rlimits[1].hard, 1ULL << 63);
	assert_int_equal(spec->linux.seccomp->syscalls[0].args[0].value,
			 0xffffffff00000000ULL);
}

static void large_integers_inexact_rejected(void **state)
{
	/* 2^64 - 2 has no exact double and rounds up to 2^64: not widened. */
	_cleanup_free_ char *text =
		quote("{'ociVersion': '1.1.0', 'root': {'path': 'r'},"
		      " 'process': {'args': ['sh'], 'cwd': '/', 'rlimits': ["
		      "  {'type': 'RLIMIT_CORE', 'soft': 0,"
		      "   'hard': 18446744073709551614}]}}");
	struct spec *spec = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(parse_text(text, &spec, &err), -1);
	assert_non_null(strstr(err->msg, "too big integer"));
	berth_error_free(&err);
}

static void capability_names_round_trip(void **state)
{
	int cap;

	for (cap = 0; cap <= SPEC_CAP_LAST; cap++) {
		const char *name = spec_capability_name(cap);

		assert_non_null(name);
		assert_int_equal(spec_capability_from_name(name), cap);
	}
	assert_null(spec_capability_name(SPEC_CAP_LAST + 1));
	assert_null(spec_capability_name(-1));
	assert_int_equal(spec_capability_from_name("net_admin"), CAP_NET_ADMIN);
	assert_int_equal(spec_capability_from_name("CAP_CHECKPOINT_RESTORE"),
			 40);
	assert_int_equal(spec_capability_from_name("CAP_"), -1);
	assert_int_equal(spec_capability_from_name("CAP_FLY"), -1);
}

static void rlimit_names_round_trip(void **state)
{
	assert_int_equal(spec_rlimit_from_name("RLIMIT_NOFILE"), RLIMIT_NOFILE);
	assert_string_equal(spec_rlimit_name(RLIMIT_RTTIME), "RLIMIT_RTTIME");
	assert_int_equal(spec_rlimit_from_name("rlimit_nofile"), -1);
	assert_null(spec_rlimit_name(RLIMIT_NLIMITS));
}

static void clean_path_cases(void **state)
{
	static const char *const cases[][2] = {
		{"/", "/"},	    {"//a//b/", "/a/b"},
		{"/a/./b", "/a/b"}, {"/a/../../b", "/b"},
		{"/..", "/"},	    {"a/../..", ".."},
		{"", "."},	    {"../../x", "../../x"},
		{"a/b/..", "a"},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *clean = spec_clean_path(cases[i][0]);

		assert_string_equal(clean, cases[i][1]);
	}
}

static void default_seccomp_profile_compiles(void **state)
{
	_cleanup_json_ json_t *profile = seccomp_default_profile();
	struct spec_seccomp *seccomp = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(
		spec_parse_seccomp(profile, "linux.seccomp", &seccomp, &err),
		0);
	assert_string_equal(seccomp->default_action, "SCMP_ACT_ERRNO");
	assert_int_equal(seccomp->default_errno_ret, EPERM);
	assert_true(seccomp->n_syscalls > 2);
	assert_int_equal(seccomp_validate_spec(seccomp, &err), 0);
	assert_null(err);
	spec_seccomp_free(seccomp);
}

static void seccomp_same_argument_twice_compiles(void **state)
{
	_cleanup_free_ char *text = quote(
		"{'defaultAction': 'SCMP_ACT_ALLOW',"
		" 'syscalls': [{'names': ['personality'],"
		"  'action': 'SCMP_ACT_ERRNO',"
		"  'args': [{'index': 0, 'value': 1, 'op': 'SCMP_CMP_EQ'},"
		"           {'index': 0, 'value': 2, 'op': 'SCMP_CMP_EQ'}]},"
		"  {'names': ['getpid'], 'action': 'SCMP_ACT_ALLOW'}]}");
	_cleanup_json_ json_t *j = json_loads(text, 0, NULL);
	struct spec_seccomp *seccomp = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(spec_parse_seccomp(j, "s", &seccomp, &err), 0);
	assert_int_equal(seccomp_validate_spec(seccomp, &err), 0);
	spec_seccomp_free(seccomp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_full_config_top_level),
		cmocka_unit_test(parse_full_config_process),
		cmocka_unit_test(parse_full_config_linux),
		cmocka_unit_test(parse_full_config_resources),
		cmocka_unit_test(parse_full_config_seccomp),
		cmocka_unit_test(parse_minimal_config_defaults),
		cmocka_unit_test(parse_null_fields_as_absent),
		cmocka_unit_test(parse_without_process),
		cmocka_unit_test(parse_process_object_alone),
		cmocka_unit_test(bad_fields_are_named),
		cmocka_unit_test(bad_documents),
		cmocka_unit_test(load_missing_file),
		cmocka_unit_test(default_spec_round_trips),
		cmocka_unit_test(large_integers_parse_exactly),
		cmocka_unit_test(large_integers_inexact_rejected),
		cmocka_unit_test(capability_names_round_trip),
		cmocka_unit_test(rlimit_names_round_trip),
		cmocka_unit_test(clean_path_cases),
		cmocka_unit_test(default_seccomp_profile_compiles),
		cmocka_unit_test(seccomp_same_argument_twice_compiles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "runtime/process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/seccomp.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* The PATH Docker sets for an image whose environment has none. */
#define PROCESS_DEFAULT_PATH \
	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *env_lookup(char *const *env, const char *key)
{
	size_t len = strlen(key);
	size_t i;

	for (i = 0; env != NULL && env[i] != NULL; i++) {
		if (strncmp(env[i], key, len) == 0 && env[i][len] == '=')
			return env[i] + len + 1;
	}
	return NULL;
}

/*
 * Check path as execve would run it: 0 when it is an executable regular
 * file, else the errno that explains why not (ENOENT, EACCES, ...).
 */
static int check_executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno;

	if (!S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0)
		return EACCES;

	if (access(path, X_OK) < 0)
		return errno;
	return 0;
}

/* The process has not changed to cwd yet, so relative paths start there. */
static char *path_from_cwd(const struct spec_process *process, const char *path)
{
	if (path[0] == '/')
		return xstrdup(path);
	return fs_path_join(process->cwd, path);
}

static int find_given_path(const struct spec_process *process, const char *name,
			   char **ret_path, struct berth_error **err)
{
	_cleanup_free_ char *full = path_from_cwd(process, name);
	int e = check_executable(full);

	if (e == ENOENT || e == ENOTDIR)
		return berth_error_set_status(err, BERTH_EXIT_NOT_FOUND, ENOENT,
					      "executable file '%s' not found",
					      name);

	if (e != 0)
		return berth_error_set_status(err, BERTH_EXIT_CANNOT_EXEC,
					      EACCES,
					      "'%s' is not an executable file, "
					      "check its type and mode",
					      name);

	*ret_path = xstrdup(name);
	return 0;
}

int process_find_executable(const struct spec_process *process, char **ret_path,
			    struct berth_error **err)
{
	const char *name = process->args[0];
	const char *search = env_lookup(process->env, "PATH");
	_cleanup_free_ char *denied = NULL;
	const char *dir;

	if (strchr(name, '/') != NULL)
		return find_given_path(process, name, ret_path, err);

	if (search == NULL)
		search = PROCESS_DEFAULT_PATH;

	/* An empty PATH element means the working directory, as in execvp. */
	for (dir = search;; dir++) {
		const char *end = strchrnul(dir, ':');
		_cleanup_free_ char *prefix =
			xstrndup(dir, (size_t)(end - dir));
		_cleanup_free_ char *candidate = NULL;
		_cleanup_free_ char *full = NULL;
		int e;

		candidate =
			fs_path_join(prefix[0] != '\0' ? prefix : ".", name);
		full = path_from_cwd(process, candidate);
		e = check_executable(full);
		if (e == 0) {
			*ret_path = TAKE_PTR(candidate);
			return 0;
		}

		if (e == EACCES && denied == NULL)
			denied = TAKE_PTR(candidate);

		dir = end;
		if (*dir == '\0')
			break;
	}

	if (denied != NULL)
		return berth_error_set_status(err, BERTH_EXIT_CANNOT_EXEC,
					      EACCES,
					      "executable file '%s' found in "
					      "$PATH as '%s' is not executable",
					      name, denied);

	return berth_error_set_status(err, BERTH_EXIT_NOT_FOUND, ENOENT,
				      "executable file '%s' not found in $PATH",
				      name);
}

static void format_limit(char *buf, size_t size, uint64_t value)
{
	if (value == (uint64_t)RLIM_INFINITY)
		snprintf(buf, size, "unlimited");
	else
		snprintf(buf, size, "%llu", (unsigned long long)value);
}

static int apply_rlimit(const struct spec_rlimit *rlimit,
			struct berth_error **err)
{
	const char *name = spec_rlimit_name(rlimit->resource);
	struct rlimit want = {
		.rlim_cur = (rlim_t)rlimit->soft,
		.rlim_max = (rlim_t)rlimit->hard,
	};
	struct rlimit have;
	char soft[32], hard[32], current[32];
	int e;

	if (setrlimit(rlimit->resource, &want) == 0)
		return 0;

	e = errno;
	format_limit(soft, sizeof(soft), rlimit->soft);
	format_limit(hard, sizeof(hard), rlimit->hard);
	/*
	 * EPERM also comes from RLIMIT_NOFILE above fs.nr_open, so the hint
	 * about CAP_SYS_RESOURCE is given only when the hard limit goes up.
	 */
	if (e != EPERM || getrlimit(rlimit->resource, &have) < 0 ||
	    want.rlim_max <= have.rlim_max)
		return berth_error_set(err, e, "set %s to soft %s, hard %s",
				       name, soft, hard);

	format_limit(current, sizeof(current), have.rlim_max);
	return berth_error_set(err, e,
			       "set %s to soft %s, hard %s: raising the hard "
			       "limit above the current %s needs "
			       "CAP_SYS_RESOURCE, lower process.rlimits",
			       name, soft, hard, current);
}

int process_apply_rlimits(const struct spec_process *process,
			  struct berth_error **err)
{
	size_t i;

	for (i = 0; i < process->n_rlimits; i++) {
		if (apply_rlimit(&process->rlimits[i], err) < 0)
			return -1;
	}
	return 0;
}

int process_set_oom_score_adj(const struct spec_process *process,
			      struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	char buf[16];
	ssize_t n;
	int len;

	if (!process->has_oom_score_adj)
		return 0;

	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno,
				       "open '/proc/self/oom_score_adj'");

	len = snprintf(buf, sizeof(buf), "%d", process->oom_score_adj);
	n = write(fd, buf, (size_t)len);
	if (n != len)
		return berth_error_set(err, n < 0 ? errno : EIO,
				       "set process.oomScoreAdj '%d', lowering "
				       "it needs CAP_SYS_RESOURCE",
				       process->oom_score_adj);
	return 0;
}

/*
 * With create, a missing working directory is created, as Docker does
 * for a WORKDIR the image lacks and runc does for the init. An exec
 * process gets no such help, as in runc: its failure carries status 126
 * like any other exec failure. The directory may be readable only by
 * the container user (a home directory on NFS with root squashing), so
 * a permission error here is retried after the user switch.
 */
static int change_directory(const char *cwd, bool retry, bool create,
			    bool *ret_done, struct berth_error **err)
{
	if (chdir(cwd) == 0) {
		*ret_done = true;
		return 0;
	}

	if (retry && create && errno == ENOENT) {
		if (fs_mkdir_p(cwd, 0755, err) < 0)
			return berth_error_wrap(err, "create process.cwd");

		return change_directory(cwd, false, create, ret_done, err);
	}

	if (retry && (errno == EACCES || errno == EPERM)) {
		*ret_done = false;
		return 0;
	}

	return berth_error_set_status(err, create ? 0 : BERTH_EXIT_CANNOT_EXEC,
				      errno,
				      "change to the working directory '%s' "
				      "from process.cwd",
				      cwd);
}

static int exec_status(int e)
{
	return e == ENOENT ? BERTH_EXIT_NOT_FOUND : BERTH_EXIT_CANNOT_EXEC;
}

/*
 * Loading a seccomp filter needs no_new_privs or CAP_SYS_ADMIN. With
 * noNewPrivileges the filter goes last, after no_new_privs, so it need
 * not allow the setup syscalls. Without it, the filter goes first, while
 * the process still has CAP_SYS_ADMIN: after setresuid to a non-root
 * user the effective set is empty. The filter must then allow
 * setgroups, setresgid, setresuid, capset, prctl and execve, as any
 * profile that lets programs change users does. crun orders it the same
 * way.
 */
int process_exec(const struct spec_process *process, const char *path,
		 bool create_cwd, const struct spec_seccomp *seccomp,
		 struct berth_error **err)
{
	bool in_cwd = false;

	if (change_directory(process->cwd, true, create_cwd, &in_cwd, err) < 0)
		return -1;

	umask(process->user.has_umask ? process->user.umask : 0022);

	if (!process->no_new_privileges && seccomp_load_spec(seccomp, err) < 0)
		return -1;

	if (process_set_identity(process, err) < 0)
		return -1;

	if (!in_cwd &&
	    change_directory(process->cwd, false, create_cwd, &in_cwd, err) < 0)
		return -1;

	if (process->no_new_privileges) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			return berth_error_set(err, errno, "set no_new_privs");

		if (seccomp_load_spec(seccomp, err) < 0)
			return -1;
	}

	execve(path, process->args, process->env);
	return berth_error_set_status(err, exec_status(errno), errno,
				      "execute '%s'", path);
}

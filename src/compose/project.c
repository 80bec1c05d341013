/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compose/compose.h"
#include "compose/dotenv.h"
#include "compose/interpolate.h"
#include "compose/merge.h"
#include "compose/model-internal.h"
#include "compose/normalize.h"
#include "compose/read-file.h"
#include "compose/yaml-load.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define COMPOSE_FILE_MAX_SIZE (16 * 1024 * 1024)
/* Bounds the dependency walk, which recurses once per service. */
#define COMPOSE_MAX_SERVICES 1000

extern char **environ;

static const char *const default_files[] = {
	"compose.yaml",
	"compose.yml",
	"docker-compose.yaml",
	"docker-compose.yml",
};

int compose_parse_data(const char *data, size_t len, const char *name,
		       const char *project_dir, const json_t *vars,
		       char ***warnings, json_t **ret, struct berth_error **err)
{
	_cleanup_json_ json_t *docs = NULL;
	_cleanup_json_ json_t *result = NULL;
	struct interp_env env = {.vars = vars, .warnings = warnings};
	struct normalize_options opts = {
		.file = name,
		.project_dir = project_dir,
		.vars = vars,
		.warnings = warnings,
	};
	json_t *doc;
	size_t i;

	if (yaml_load_documents(data, len, name, &docs, err) < 0)
		return -1;
	if (json_array_size(docs) == 0)
		json_array_append_new(docs, json_object());

	/* As docker compose, the documents of a file merge in order. */
	json_array_foreach (docs, i, doc) {
		_cleanup_json_ json_t *normalized = NULL;

		if (interpolate_tree(doc, &env, name, err) < 0 ||
		    compose_normalize(doc, &opts, &normalized, err) < 0)
			return -1;
		if (result == NULL)
			result = json_incref(normalized);
		else
			compose_merge(result, normalized);
	}
	*ret = TAKE_PTR(result);
	return 0;
}

char *compose_normalize_project_name(const char *s)
{
	char *out = xmalloc(strlen(s) + 1);
	size_t n = 0;

	for (const char *p = s; *p != '\0'; p++) {
		char c = tolower((unsigned char)*p);
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (alnum || (n > 0 && (c == '_' || c == '-')))
			out[n++] = c;
	}
	out[n] = '\0';
	if (n == 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* Merge each env_file into environment; environment keys win. */
static int read_env_files(const char *service, json_t *svc, const json_t *vars,
			  struct berth_error **err)
{
	json_t *files = json_object_get(svc, "env_file");
	_cleanup_json_ json_t *merged = json_object();
	json_t *environment;
	json_t *entry;
	const char *key;
	json_t *value;
	size_t i;

	if (files == NULL)
		return 0;

	json_array_foreach (files, i, entry) {
		const char *path =
			json_string_value(json_object_get(entry, "path"));
		_cleanup_json_ json_t *values = NULL;

		if (dotenv_read_file(path, vars, &values, err) < 0) {
			if ((*err)->errnum == ENOENT &&
			    !json_is_true(json_object_get(entry, "required"))) {
				berth_error_free(err);
				continue;
			}
			return berth_error_wrap(
				err, "services.%s.env_file[%zu]", service, i);
		}
		json_object_update(merged, values);
	}

	/* An entry without a value in environment keeps the file's value. */
	environment = json_object_get(svc, "environment");
	json_object_foreach (environment, key, value) {
		if (!json_is_null(value) ||
		    json_object_get(merged, key) == NULL)
			json_object_set(merged, key, value);
	}
	json_object_set(svc, "environment", merged);
	return 0;
}

/* Attach services without networks to "default" and declare it. */
static void add_default_network(json_t *root)
{
	json_t *services = json_object_get(root, "services");
	json_t *networks = json_object_get(root, "networks");
	bool used = false;
	const char *key;
	json_t *svc;

	json_object_foreach (services, key, svc) {
		json_t *nets = json_object_get(svc, "networks");

		if (json_object_get(svc, "network_mode") != NULL)
			continue;
		if (nets == NULL) {
			nets = json_object();
			json_object_set_new(nets, "default", json_null());
			json_object_set_new(svc, "networks", nets);
		}
		used = used || json_object_get(nets, "default") != NULL;
	}

	if (!used)
		return;
	if (networks == NULL) {
		networks = json_object();
		json_object_set_new(root, "networks", networks);
	}
	if (json_object_get(networks, "default") == NULL)
		json_object_set_new(networks, "default", json_object());
}

/*
 * Defaults of build, set after the merge as docker compose does: the
 * context is the project directory, the file Dockerfile.
 */
static void default_build(json_t *services, const char *project_dir)
{
	const char *key;
	json_t *svc;

	json_object_foreach (services, key, svc) {
		json_t *build = json_object_get(svc, "build");

		if (!json_is_object(build))
			continue;
		if (json_object_get(build, "context") == NULL)
			json_object_set_new(build, "context",
					    json_string(project_dir));
		if (json_object_get(build, "dockerfile") == NULL &&
		    json_object_get(build, "dockerfile_inline") == NULL)
			json_object_set_new(build, "dockerfile",
					    json_string("Dockerfile"));
	}
}

/* Give each network and volume its host name: PROJECT_KEY, or KEY. */
static void name_resources(json_t *root, const char *section,
			   const char *project)
{
	json_t *map = json_object_get(root, section);
	const char *key;
	json_t *obj;

	json_object_foreach (map, key, obj) {
		char *name;

		if (json_object_get(obj, "name") != NULL)
			continue;
		if (json_is_true(json_object_get(obj, "external")))
			name = xstrdup(key);
		else
			xasprintf(&name, "%s_%s", project, key);
		json_object_set_new(obj, "name", json_string(name));
		free(name);
	}
}

int compose_project_build(json_t *merged, const char *name,
			  const char *project_dir, const json_t *vars,
			  struct compose_project **ret,
			  struct berth_error **err)
{
	struct compose_project *p;
	json_t *services = json_object_get(merged, "services");
	const char *key;
	json_t *svc;

	if (json_object_size(services) > COMPOSE_MAX_SERVICES)
		return berth_error_set(err, 0,
				       "services: more than %d services",
				       COMPOSE_MAX_SERVICES);

	json_object_set_new(merged, "name", json_string(name));
	json_object_foreach (services, key, svc) {
		if (read_env_files(key, svc, vars, err) < 0)
			return -1;
	}
	default_build(services, project_dir);
	add_default_network(merged);
	name_resources(merged, "networks", name);
	name_resources(merged, "volumes", name);

	p = model_from_json(merged);
	if (model_validate(p, err) < 0) {
		compose_project_free(p);
		return -1;
	}
	p->working_dir = xstrdup(project_dir);
	p->config = json_incref(merged);
	*ret = p;
	return 0;
}

static json_t *environ_vars(void)
{
	json_t *vars = json_object();

	for (char **e = environ; e != NULL && *e != NULL; e++) {
		const char *eq = strchr(*e, '=');
		_cleanup_free_ char *key = NULL;

		if (eq == NULL || eq == *e)
			continue;
		key = xstrndup(*e, eq - *e);
		json_object_set_new(vars, key, json_string(eq + 1));
	}
	return vars;
}

/*
 * The project variables: the .env file (or --env-file), overridden by
 * the process environment.
 */
static int load_vars(const struct compose_load_options *opts,
		     const char *project_dir, json_t **ret,
		     struct berth_error **err)
{
	_cleanup_json_ json_t *process = environ_vars();
	_cleanup_json_ json_t *vars = json_object();
	_cleanup_free_ char *dotenv = NULL;

	if (opts->env_files != NULL) {
		for (size_t i = 0; opts->env_files[i] != NULL; i++) {
			_cleanup_json_ json_t *values = NULL;

			if (dotenv_read_file(opts->env_files[i], process,
					     &values, err) < 0)
				return -1;
			json_object_update(vars, values);
		}
	} else {
		_cleanup_json_ json_t *values = NULL;

		xasprintf(&dotenv, "%s/.env", project_dir);
		if (dotenv_read_file(dotenv, process, &values, err) < 0) {
			if ((*err)->errnum != ENOENT)
				return -1;
			berth_error_free(err);
		} else {
			json_object_update(vars, values);
		}
	}

	json_object_update(vars, process);
	*ret = TAKE_PTR(vars);
	return 0;
}

static int find_default_file(const char *dir, char ***files,
			     struct berth_error **err)
{
	for (size_t i = 0; i < ARRAY_SIZE(default_files); i++) {
		_cleanup_free_ char *path = NULL;

		xasprintf(&path, "%s/%s", dir, default_files[i]);
		if (access(path, F_OK) == 0) {
			strv_push(files, default_files[i]);
			return 0;
		}
	}
	return berth_error_set(err, ENOENT,
			       "no compose file in '%s': create compose.yaml "
			       "or name a file with -f",
			       dir);
}

static char *directory_of(const char *file)
{
	_cleanup_free_ char *copy = xstrdup(file);
	_cleanup_free_ char *cwd = getcwd(NULL, 0);
	const char *dir = dirname(copy);
	char *abs;

	if (dir[0] == '/' || cwd == NULL)
		return xstrdup(dir);
	if (strcmp(dir, ".") == 0)
		return xstrdup(cwd);
	xasprintf(&abs, "%s/%s", cwd, dir);
	return abs;
}

static char *base_name(const char *dir)
{
	_cleanup_free_ char *copy = xstrdup(dir);

	return xstrdup(basename(copy));
}

static int choose_name(const struct compose_load_options *opts,
		       const json_t *vars, const json_t *merged,
		       const char *project_dir, char **ret,
		       struct berth_error **err)
{
	const char *source = opts->project_name;
	_cleanup_free_ char *dir_name = NULL;

	if (source == NULL)
		source = json_string_value(
			json_object_get(vars, "COMPOSE_PROJECT_NAME"));
	/*
	 * As in docker compose, a name given on purpose must already be
	 * valid: -p Web and -p web would otherwise act on one project.
	 * Only the name from the files or the directory is reduced.
	 */
	if (source != NULL && *source != '\0') {
		*ret = compose_normalize_project_name(source);
		if (*ret != NULL && strcmp(*ret, source) == 0)
			return 0;
		free(*ret);
		*ret = NULL;
		return berth_error_set(err, 0,
				       "invalid project name '%s': use "
				       "lowercase letters, digits, '_' and "
				       "'-', starting with a letter or digit",
				       source);
	}
	source = json_string_value(json_object_get(merged, "name"));
	if (source == NULL || *source == '\0') {
		dir_name = base_name(project_dir);
		source = dir_name;
	}

	*ret = compose_normalize_project_name(source);
	if (*ret == NULL)
		return berth_error_set(err, 0,
				       "invalid project name '%s': use "
				       "lowercase letters, digits, '_' and "
				       "'-', or set one with -p",
				       source);
	return 0;
}

static bool profile_active(char *const *active, const char *profile)
{
	return strv_contains(active, "*") || strv_contains(active, profile);
}

/* A service with profiles runs only when one of them is active. */
static bool service_enabled(const json_t *svc, char *const *active)
{
	json_t *profiles = json_object_get(svc, "profiles");
	json_t *v;
	size_t i;

	if (json_array_size(profiles) == 0)
		return true;
	json_array_foreach (profiles, i, v) {
		if (profile_active(active, json_string_value(v)))
			return true;
	}
	return false;
}

/* The --profile names, else those of COMPOSE_PROFILES, comma-separated. */
static char **active_profiles(const struct compose_load_options *opts,
			      const json_t *vars)
{
	const char *env =
		json_string_value(json_object_get(vars, "COMPOSE_PROFILES"));
	_cleanup_free_ char *copy = NULL;
	char **active = NULL;
	char *save = NULL;

	if (strv_length(opts->profiles) > 0)
		return strv_copy(opts->profiles);
	if (env == NULL)
		return NULL;
	copy = xstrdup(env);
	for (char *p = strtok_r(copy, ",", &save); p != NULL;
	     p = strtok_r(NULL, ",", &save))
		strv_push(&active, p);
	return active;
}

/*
 * Collect in *ret the services that no active profile enables. A service
 * that stays enabled may not depend on one of them.
 */
static int find_disabled(const json_t *merged, char *const *active,
			 json_t **ret, struct berth_error **err)
{
	json_t *services = json_object_get(merged, "services");
	_cleanup_json_ json_t *disabled = json_object();
	const char *key;
	const char *dep;
	json_t *svc;
	json_t *cond;

	json_object_foreach (services, key, svc) {
		if (!service_enabled(svc, active))
			json_object_set_new(disabled, key, json_true());
	}
	json_object_foreach (services, key, svc) {
		if (json_object_get(disabled, key) != NULL)
			continue;
		json_object_foreach (json_object_get(svc, "depends_on"), dep,
				     cond) {
			if (json_object_get(disabled, dep) != NULL)
				return berth_error_set(
					err, 0,
					"services.%s.depends_on: service "
					"'%s' is not enabled: activate one "
					"of its profiles with --profile or "
					"COMPOSE_PROFILES",
					key, dep);
		}
	}
	*ret = TAKE_PTR(disabled);
	return 0;
}

static void disable_services(struct compose_project *p, const json_t *disabled)
{
	for (size_t i = 0; i < p->n_services; i++) {
		if (json_object_get(disabled, p->services[i].name) != NULL)
			p->services[i].disabled = true;
	}
}

static int read_and_merge(const char *path, const char *project_dir,
			  const json_t *vars, char ***warnings, json_t *merged,
			  struct berth_error **err)
{
	_cleanup_free_ char *data = NULL;
	_cleanup_json_ json_t *doc = NULL;
	size_t len;

	/* "-f -" reads the standard input, as in docker compose. */
	if (strcmp(path, "-") == 0) {
		if (read_fd_capped(STDIN_FILENO, "-", COMPOSE_FILE_MAX_SIZE,
				   &data, &len, err) < 0)
			return -1;
	} else if (read_file_capped(path, COMPOSE_FILE_MAX_SIZE, &data, &len,
				    err) < 0) {
		return -1;
	}
	if (compose_parse_data(data, len, path, project_dir, vars, warnings,
			       &doc, err) < 0)
		return -1;
	compose_merge(merged, doc);
	return 0;
}

int compose_project_load(const struct compose_load_options *opts,
			 char ***warnings, struct compose_project **ret,
			 struct berth_error **err)
{
	_cleanup_strv_ char **files = strv_copy(opts->files);
	_cleanup_free_ char *project_dir = NULL;
	_cleanup_free_ char *cwd = getcwd(NULL, 0);
	_cleanup_json_ json_t *vars = NULL;
	_cleanup_json_ json_t *merged = json_object();
	_cleanup_free_ char *name = NULL;
	_cleanup_strv_ char **active = NULL;
	_cleanup_json_ json_t *disabled = NULL;
	const char *env_files = getenv("COMPOSE_FILE");

	if (cwd == NULL)
		return berth_error_set(err, errno, "getcwd");

	if (strv_length(files) == 0 && env_files != NULL && *env_files) {
		_cleanup_free_ char *copy = xstrdup(env_files);
		char *save = NULL;

		for (char *f = strtok_r(copy, ":", &save); f != NULL;
		     f = strtok_r(NULL, ":", &save))
			strv_push(&files, f);
	}
	if (strv_length(files) == 0) {
		const char *dir = opts->working_dir ?: cwd;

		if (find_default_file(dir, &files, err) < 0)
			return -1;
		if (opts->working_dir != NULL) {
			char *path;

			xasprintf(&path, "%s/%s", dir, files[0]);
			free(files[0]);
			files[0] = path;
		}
	}

	project_dir = opts->working_dir != NULL ? xstrdup(opts->working_dir) :
						  directory_of(files[0]);

	if (load_vars(opts, project_dir, &vars, err) < 0)
		return -1;
	for (size_t i = 0; files[i] != NULL; i++) {
		if (read_and_merge(files[i], project_dir, vars, warnings,
				   merged, err) < 0)
			return -1;
	}

	active = active_profiles(opts, vars);
	if (find_disabled(merged, active, &disabled, err) < 0 ||
	    choose_name(opts, vars, merged, project_dir, &name, err) < 0 ||
	    compose_project_build(merged, name, project_dir, vars, ret, err) <
		    0)
		return -1;
	disable_services(*ret, disabled);
	return 0;
}

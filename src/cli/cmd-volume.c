/* SPDX-License-Identifier: GPL-2.0-or-later */
/* "berth volume SUB": create, ls, inspect, rm and prune volumes. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "cli/human.h"
#include "cli/inspect-format.h"
#include "engine/mount-spec.h"
#include "engine/volume.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

static int volume_create_cmd(struct cli_context *ctx, int argc, char **argv);
static int volume_ls_cmd(struct cli_context *ctx, int argc, char **argv);
static int volume_inspect_cmd(struct cli_context *ctx, int argc, char **argv);
static int volume_rm_cmd(struct cli_context *ctx, int argc, char **argv);
static int volume_prune_cmd(struct cli_context *ctx, int argc, char **argv);

static const struct cli_command volume_commands[] = {
	{"create", volume_create_cmd, "Create a volume"},
	{"inspect", volume_inspect_cmd, "Show details of volumes"},
	{"ls", volume_ls_cmd, "List volumes"},
	{"list", volume_ls_cmd, NULL},
	{"prune", volume_prune_cmd, "Remove unused volumes"},
	{"rm", volume_rm_cmd, "Remove one or more volumes"},
	{"remove", volume_rm_cmd, NULL},
};

int cmd_volume(struct cli_context *ctx, int argc, char **argv)
{
	return cli_dispatch("volume", volume_commands,
			    ARRAY_SIZE(volume_commands), ctx, argc, argv);
}

static void create_usage(FILE *out)
{
	fputs("Usage: berth volume create [OPTIONS] [NAME]\n"
	      "\n"
	      "Create a volume and print its name; without NAME, the name "
	      "is 64 random hex\n"
	      "digits. A volume of that name that exists already is kept.\n"
	      "\n"
	      "Options:\n"
	      "  -d, --driver NAME   volume driver: only 'local'\n"
	      "  -l, --label K=V     set a label\n"
	      "  -o, --opt K=V       driver option: none is supported yet\n"
	      "  -h, --help          show this help\n",
	      out);
}

static int check_label(const char *label)
{
	if (label[0] == '=' || label[0] == '\0')
		return cli_usage_error("volume create",
				       "invalid label '%s': use KEY=VALUE",
				       label);
	return 0;
}

static int volume_create_cmd(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"driver", required_argument, NULL, 'd'},
		{"label", required_argument, NULL, 'l'},
		{"opt", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	_cleanup_strv_ char **labels = NULL;
	_cleanup_volume_ struct volume *v = NULL;
	struct berth_error *err = NULL;
	const char *name = NULL;
	struct engine engine;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:d:l:o:h", options, NULL)) !=
	       -1) {
		switch (c) {
		case 'd':
			if (strcmp(optarg, "local") != 0)
				return cli_usage_error("volume create",
						       "unsupported driver "
						       "'%s': only 'local' "
						       "exists",
						       optarg);
			break;
		case 'l':
			if (check_label(optarg) != 0)
				return 125;
			strv_push(&labels, optarg);
			break;
		case 'o':
			/*
			 * TODO: the local driver's type, device and o
			 * options mount a file system at the volume.
			 */
			return cli_usage_error("volume create",
					       "unsupported driver option "
					       "'%s': the local driver of "
					       "berth keeps data in a "
					       "directory and takes no "
					       "options yet",
					       optarg);
		case 'h':
			create_usage(stdout);
			return 0;
		default:
			return cli_option_error("volume create", c, argv);
		}
	}

	if (argc - optind > 1)
		return cli_usage_error("volume create",
				       "expected at most NAME");
	if (optind < argc)
		name = argv[optind];

	cli_engine_init(ctx, &engine);
	/* As in Docker, a generated name does not make a volume anonymous. */
	r = volume_create(&engine, name, labels, false, &v, NULL, &err);
	engine_clear(&engine);
	if (r < 0)
		return cli_fail(&err);

	printf("%s\n", v->name);
	return 0;
}

struct ls_filter {
	int dangling; /* -1 = any, 0 = in use, 1 = unused */
	char **names; /* substrings, any may match */
	char **labels;
};

static int parse_filter(struct ls_filter *f, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t key_len = eq != NULL ? (size_t)(eq - arg) : 0;
	const char *value = eq != NULL ? eq + 1 : "";

	if (key_len == 8 && strncmp(arg, "dangling", 8) == 0) {
		if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
			f->dangling = 1;
		else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
			f->dangling = 0;
		else
			return cli_usage_error("volume ls",
					       "invalid filter '%s': use "
					       "dangling=true or "
					       "dangling=false",
					       arg);
		return 0;
	}
	if (key_len == 4 && strncmp(arg, "name", 4) == 0) {
		strv_push(&f->names, value);
		return 0;
	}
	if (key_len == 5 && strncmp(arg, "label", 5) == 0 && value[0]) {
		strv_push(&f->labels, value);
		return 0;
	}
	if (key_len == 6 && strncmp(arg, "driver", 6) == 0 &&
	    strcmp(value, "local") == 0)
		return 0;
	return cli_usage_error("volume ls",
			       "invalid filter '%s': use dangling=true|false, "
			       "name=TEXT, label=KEY[=VALUE] or driver=local",
			       arg);
}

static int matches(struct engine *engine, const struct volume *v,
		   const struct ls_filter *f, bool *ret,
		   struct berth_error **err)
{
	bool name_ok = f->names == NULL;

	*ret = false;
	for (size_t i = 0; f->names != NULL && f->names[i]; i++)
		if (strstr(v->name, f->names[i]) != NULL)
			name_ok = true;
	if (!name_ok)
		return 0;
	for (size_t i = 0; f->labels != NULL && f->labels[i]; i++)
		if (!cli_labels_match(v->labels, f->labels[i]))
			return 0;

	if (f->dangling >= 0) {
		_cleanup_strv_ char **users = NULL;

		if (volume_users(engine, v->name, &users, err) < 0)
			return -1;
		if ((users[0] == NULL) != (f->dangling == 1))
			return 0;
	}
	*ret = true;
	return 0;
}

/* The fields of Docker's "volume ls --format json" that apply here. */
static json_t *ls_json(const struct volume *v)
{
	_cleanup_free_ char *labels = xstrdup("");

	for (size_t i = 0; v->labels != NULL && v->labels[i]; i++) {
		char *next;

		xasprintf(&next, "%s%s%s", labels, i > 0 ? "," : "",
			  v->labels[i]);
		free(labels);
		labels = next;
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "Driver", "local",
			 "Labels", labels, "Mountpoint", v->mountpoint, "Name",
			 v->name, "Scope", "local");
}

static void print_volume(const struct volume *v, bool quiet, bool json,
			 const char *template)
{
	_cleanup_json_ json_t *j = NULL;
	_cleanup_free_ char *line = NULL;

	if (quiet) {
		printf("%s\n", v->name);
		return;
	}
	if (!json && template == NULL) {
		printf("%-10s%s\n", "local", v->name);
		return;
	}

	j = ls_json(v);
	if (template != NULL) {
		(void)inspect_format_print(stdout, template, j, NULL);
		return;
	}
	line = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	if (line != NULL)
		printf("%s\n", line);
}

static int list_volumes(struct engine *engine, const struct ls_filter *f,
			bool quiet, bool json, const char *template,
			struct berth_error **err)
{
	_cleanup_strv_ char **names = NULL;

	if (volume_list(engine, &names, err) < 0)
		return -1;

	if (!quiet && !json && template == NULL)
		printf("%-10s%s\n", "DRIVER", "VOLUME NAME");
	for (size_t i = 0; names[i] != NULL; i++) {
		_cleanup_volume_ struct volume *v = NULL;
		bool ok;

		/* A volume removed meanwhile is not listed. */
		if (volume_load(engine, names[i], &v, NULL) < 0)
			continue;
		if (matches(engine, v, f, &ok, err) < 0)
			return -1;
		if (ok)
			print_volume(v, quiet, json, template);
	}
	return 0;
}

static void ls_usage(FILE *out)
{
	fputs("Usage: berth volume ls [OPTIONS]\n"
	      "\n"
	      "List volumes.\n"
	      "\n"
	      "Options:\n"
	      "  -f, --filter F    dangling=true|false (used by no "
	      "container), name=TEXT\n"
	      "                    (part of the name), label=KEY[=VALUE], "
	      "driver=local\n"
	      "      --format F    'table', 'json' (one object a line) or "
	      "a template\n"
	      "                    such as '{{.Name}}'\n"
	      "  -q, --quiet       print only the names\n"
	      "  -h, --help        show this help\n",
	      out);
}

static int volume_ls_cmd(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"filter", required_argument, NULL, 'f'},
		{"format", required_argument, NULL, 'F'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct ls_filter filter = {.dangling = -1};
	const char *template = NULL;
	struct berth_error *err = NULL;
	bool quiet = false, json = false;
	struct engine engine;
	int c, r = 0;

	optind = 0;
	opterr = 0;
	while (r == 0 &&
	       (c = getopt_long(argc, argv, "+:f:qh", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			r = parse_filter(&filter, optarg);
			break;
		case 'F':
			r = cli_parse_list_format("volume ls", optarg,
						  "{{.Name}}", &json,
						  &template);
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			ls_usage(stdout);
			goto out;
		default:
			r = cli_option_error("volume ls", c, argv);
		}
	}
	if (r == 0 && optind != argc)
		r = cli_usage_error("volume ls", "expected no arguments");
	if (r != 0)
		goto out;

	cli_engine_init(ctx, &engine);
	if (list_volumes(&engine, &filter, quiet, json, template, &err) < 0)
		r = cli_fail(&err);
	engine_clear(&engine);

out:
	strv_free(filter.names);
	strv_free(filter.labels);
	return r;
}

static int volume_inspect_cmd(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	_cleanup_json_ json_t *all = json_array();
	_cleanup_free_ char *text = NULL;
	struct berth_error *err = NULL;
	const char *template = NULL;
	struct engine engine;
	int c, status = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:f:h", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			template = optarg;
			break;
		case 'h':
			puts("Usage: berth volume inspect [-f TEMPLATE] "
			     "NAME...\n\nPrint volumes as a JSON array, or "
			     "each through TEMPLATE such as "
			     "'{{.Mountpoint}}'.");
			return 0;
		default:
			return cli_option_error("volume inspect", c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("volume inspect", "expected NAME...");
	if (template != NULL && inspect_format_check(template, &err) < 0)
		return cli_fail(&err);

	cli_engine_init(ctx, &engine);
	for (int i = optind; i < argc; i++) {
		_cleanup_volume_ struct volume *v = NULL;

		if (volume_load(&engine, argv[i], &v, &err) < 0) {
			status = cli_fail(&err);
			continue;
		}
		json_array_append_new(all, volume_inspect_json(v));
	}
	engine_clear(&engine);

	if (template != NULL) {
		size_t i;
		json_t *j;

		json_array_foreach (all, i, j)
			(void)inspect_format_print(stdout, template, j, NULL);
		return status;
	}

	text = json_dumps(all, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
	if (text != NULL)
		printf("%s\n", text);
	return status;
}

static int volume_rm_cmd(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct berth_error *err = NULL;
	bool force = false;
	struct engine engine;
	int c, status = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:fh", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'h':
			puts("Usage: berth volume rm [-f] NAME...\n\nRemove "
			     "volumes and print their names. A volume that "
			     "a container uses,\nrunning or not, is not "
			     "removed, as in Docker; -f only ignores names "
			     "of\nvolumes that do not exist.");
			return 0;
		default:
			return cli_option_error("volume rm", c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("volume rm", "expected NAME...");

	cli_engine_init(ctx, &engine);
	for (int i = optind; i < argc; i++) {
		if (force && !volume_exists(&engine, argv[i]))
			continue;
		if (volume_remove(&engine, argv[i], &err) < 0) {
			status = cli_fail(&err);
			continue;
		}
		printf("%s\n", argv[i]);
		fflush(stdout);
	}
	engine_clear(&engine);
	return status;
}

static bool confirm(bool all)
{
	char answer[16] = "";

	fprintf(stderr,
		"WARNING! This will remove %s volumes not used by at least "
		"one container.\nAre you sure you want to continue? [y/N] ",
		all ? "all" : "anonymous local");
	if (fgets(answer, sizeof(answer), stdin) == NULL)
		return false;
	return answer[0] == 'y' || answer[0] == 'Y';
}

static int volume_prune_cmd(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"all", no_argument, NULL, 'a'},
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	_cleanup_strv_ char **removed = NULL;
	struct berth_error *err = NULL;
	unsigned long long bytes = 0;
	bool all = false, force = false;
	struct engine engine;
	char size[32];
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:afh", options, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'f':
			force = true;
			break;
		case 'h':
			puts("Usage: berth volume prune [-a] [-f]\n\nRemove "
			     "the anonymous volumes that no container uses; "
			     "with -a, every\nunused volume.\n\nOptions:\n"
			     "  -a, --all     remove named volumes too\n"
			     "  -f, --force   do not ask for confirmation");
			return 0;
		default:
			return cli_option_error("volume prune", c, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error("volume prune", "expected no arguments");
	if (!force && !confirm(all))
		return 0;

	cli_engine_init(ctx, &engine);
	r = volume_prune(&engine, all, &removed, &bytes, &err);
	engine_clear(&engine);
	if (r < 0)
		return cli_fail(&err);

	if (removed[0] != NULL)
		printf("Deleted Volumes:\n");
	for (size_t i = 0; removed[i] != NULL; i++)
		printf("%s\n", removed[i]);
	if (removed[0] != NULL)
		printf("\n");
	human_size((int64_t)bytes, size, sizeof(size));
	printf("Total reclaimed space: %s\n", size);
	return 0;
}

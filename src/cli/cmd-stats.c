/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "berth stats": CPU, memory, processes and network use of running
 * containers, from their cgroups and the init's /proc/PID/net/dev.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "cli/human.h"
#include "engine/container-state.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* The CPU share needs two samples, taken this many ms apart. */
#define SAMPLE_GAP_MS 500
#define STREAM_INTERVAL_MS 1000

struct stats_row {
	char *id;
	char *name;
	struct engine_container_stats last;
	bool valid;
};

static void stats_usage(FILE *out)
{
	fputs("Usage: berth stats [OPTIONS] [CONTAINER...]\n"
	      "\n"
	      "Show CPU, memory, process and network use of running "
	      "containers (all of\n"
	      "them when none is named), refreshed every second.\n"
	      "\n"
	      "Options:\n"
	      "      --no-stream   print one sample and exit\n"
	      "      --format F    'table' (default) or 'json' (one object "
	      "per line)\n"
	      "  -h, --help        show this help\n",
	      out);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) < 0)
		;
}

/* "1.953MiB": binary units as Docker prints memory. */
static void binary_size(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)bytes;
	size_t i = 0;

	while (v >= 1024.0 && i + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024.0;
		i++;
	}
	snprintf(buf, size, "%.4g%s", v, units[i]);
}

static json_t *row_json(const struct stats_row *row,
			const struct engine_container_stats *prev,
			const struct engine_container_stats *now)
{
	char cpu[32] = "--", mem[64] = "--", memp[32] = "--", pids[32] = "--";
	char net[64], rx[16], tx[16], usage[24], limit[24];
	uint64_t wall = now->taken_ns - prev->taken_ns;

	if (now->has_cpu && wall > 0 && now->cpu_usage_ns >= prev->cpu_usage_ns)
		snprintf(cpu, sizeof(cpu), "%.2f%%",
			 100.0 *
				 (double)(now->cpu_usage_ns -
					  prev->cpu_usage_ns) /
				 (double)wall);
	if (now->has_memory) {
		binary_size(now->memory_usage, usage, sizeof(usage));
		binary_size(now->memory_limit, limit, sizeof(limit));
		snprintf(mem, sizeof(mem), "%s / %s", usage, limit);
		if (now->memory_limit > 0)
			snprintf(memp, sizeof(memp), "%.2f%%",
				 100.0 * (double)now->memory_usage /
					 (double)now->memory_limit);
	}
	if (now->has_pids)
		snprintf(pids, sizeof(pids), "%llu",
			 (unsigned long long)now->pids);
	human_size((int64_t)now->net_rx, rx, sizeof(rx));
	human_size((int64_t)now->net_tx, tx, sizeof(tx));
	snprintf(net, sizeof(net), "%s / %s", rx, tx);

	return json_pack("{s:s, s:s, s:s%, s:s%, s:s, s:s, s:s, s:s, s:s}",
			 "BlockIO", "--", "CPUPerc", cpu, "Container", row->id,
			 (size_t)12, "ID", row->id, (size_t)12, "MemPerc", memp,
			 "MemUsage", mem, "Name", row->name, "NetIO", net,
			 "PIDs", pids);
}

static void print_table_header(void)
{
	printf("%-14s %-20s %-8s %-22s %-7s %-20s %s\n", "CONTAINER ID", "NAME",
	       "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "PIDS");
}

static void print_row(const json_t *j, bool as_json)
{
	_cleanup_free_ char *line = NULL;

	if (as_json) {
		line = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		printf("%s\n", line);
		return;
	}
	printf("%-14.12s %-20s %-8s %-22s %-7s %-20s %s\n",
	       json_string_value(json_object_get(j, "Container")),
	       json_string_value(json_object_get(j, "Name")),
	       json_string_value(json_object_get(j, "CPUPerc")),
	       json_string_value(json_object_get(j, "MemUsage")),
	       json_string_value(json_object_get(j, "MemPerc")),
	       json_string_value(json_object_get(j, "NetIO")),
	       json_string_value(json_object_get(j, "PIDs")));
}

/* Sample every row, leaving out containers that stopped meanwhile. */
static void sample_all(struct engine *engine, struct stats_row *rows, size_t n,
		       bool print, bool as_json)
{
	if (print && !as_json)
		print_table_header();

	for (size_t i = 0; i < n; i++) {
		struct engine_container_stats now;
		_cleanup_json_ json_t *j = NULL;

		if (engine_container_stats(engine, rows[i].id, &now, NULL) <
		    0) {
			rows[i].valid = false;
			continue;
		}
		if (print && rows[i].valid) {
			j = row_json(&rows[i], &rows[i].last, &now);
			print_row(j, as_json);
		}
		rows[i].last = now;
		rows[i].valid = true;
	}
	fflush(stdout);
}

static char *container_name(struct engine *engine, const char *id)
{
	_cleanup_json_ json_t *j = NULL;
	const char *name = NULL;

	if (engine_container_inspect(engine, id, &j, NULL) == 0)
		name = json_string_value(json_object_get(j, "Name"));
	if (name != NULL && name[0] == '/')
		name++;
	return xstrdup(name != NULL ? name : "");
}

/* The named containers, which must run, or every running one. */
static int collect(struct engine *engine, char **refs, int n,
		   struct stats_row **ret_rows, size_t *ret_n,
		   struct berth_error **err)
{
	_cleanup_strv_ char **ids = NULL;
	struct stats_row *rows;
	size_t count = 0;

	if (n == 0 && engine_container_list(engine, &ids, err) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		char *id = NULL;
		struct engine_container_stats s;

		if (engine_container_lookup(engine, refs[i], &id, err) < 0 ||
		    engine_container_stats(engine, id, &s, err) < 0) {
			free(id);
			return -1;
		}
		strv_push(&ids, id);
		free(id);
	}

	rows = xcalloc(strv_length(ids) + 1, sizeof(*rows));
	for (size_t i = 0; ids != NULL && ids[i] != NULL; i++) {
		struct container_state st;

		if (container_state_get(engine, ids[i], &st, NULL) < 0 ||
		    st.status != CONTAINER_STATUS_RUNNING)
			continue;
		rows[count].id = xstrdup(ids[i]);
		rows[count].name = container_name(engine, ids[i]);
		count++;
	}
	*ret_rows = rows;
	*ret_n = count;
	return 0;
}

int cmd_stats(struct cli_context *ctx, int argc, char **argv)
{
	enum { OPT_NO_STREAM = 0x100, OPT_FORMAT };
	static const struct option options[] = {
		{"no-stream", no_argument, NULL, OPT_NO_STREAM},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct berth_error *err = NULL;
	struct stats_row *rows = NULL;
	bool stream = true, as_json = false;
	struct engine engine;
	size_t n = 0;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		if (c == OPT_NO_STREAM) {
			stream = false;
		} else if (c == OPT_FORMAT && (strcmp(optarg, "json") == 0 ||
					       strcmp(optarg, "table") == 0)) {
			as_json = optarg[0] == 'j';
		} else if (c == OPT_FORMAT) {
			return cli_usage_error("stats",
					       "unknown --format '%s': use "
					       "'table' or 'json'",
					       optarg);
		} else if (c == 'h') {
			stats_usage(stdout);
			return 0;
		} else {
			return cli_option_error("stats", c, argv);
		}
	}

	cli_engine_init(ctx, &engine);
	r = collect(&engine, argv + optind, argc - optind, &rows, &n, &err);
	if (r == 0) {
		sample_all(&engine, rows, n, false, as_json);
		sleep_ms(SAMPLE_GAP_MS);
		sample_all(&engine, rows, n, true, as_json);
		while (stream) {
			sleep_ms(STREAM_INTERVAL_MS);
			sample_all(&engine, rows, n, true, as_json);
		}
	}

	for (size_t i = 0; i < n; i++) {
		free(rows[i].id);
		free(rows[i].name);
	}
	free(rows);
	engine_clear(&engine);
	return r < 0 ? cli_fail(&err) : 0;
}

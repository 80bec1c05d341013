/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/events.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/container-config.h"
#include "engine/container-store.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

static json_t *attributes(const struct engine *engine, const char *id,
			  int exit_code)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	_cleanup_container_config_ struct container_config *c = NULL;
	json_t *a = json_object();

	/* In sorted order, as "docker events" prints them. */
	if (exit_code >= 0) {
		char code[16];

		snprintf(code, sizeof(code), "%d", exit_code);
		json_object_set_new(a, "exitCode", json_string(code));
	}
	if (container_config_load(dir, &c, NULL) == 0) {
		json_object_set_new(a, "image", json_string(c->image));
		json_object_set_new(a, "name", json_string(c->name));
	}
	return a;
}

void events_container(const struct engine *engine, const char *action,
		      const char *id, int exit_code)
{
	_cleanup_free_ char *path = fs_path_join(engine->runroot, EVENTS_FILE);
	_cleanup_free_ char *line = NULL;
	_cleanup_json_ json_t *j = NULL;
	_cleanup_close_ int fd = -1;
	struct timespec ts;
	size_t len;

	clock_gettime(CLOCK_REALTIME, &ts);
	j = json_pack("{s:s, s:s, s:{s:s, s:o}, s:s, s:I, s:I}", "Type",
		      "container", "Action", action, "Actor", "ID", id,
		      "Attributes", attributes(engine, id, exit_code), "scope",
		      "local", "time", (json_int_t)ts.tv_sec, "timeNano",
		      (json_int_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
	line = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	if (line == NULL || fs_mkdir_p(engine->runroot, 0700, NULL) < 0)
		return;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	len = strlen(line);
	line[len] = '\n';
	(void)!write(fd, line, len + 1);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A main() for fuzz targets built without libFuzzer: it runs
 * LLVMFuzzerTestOneInput once on each file named on the command line,
 * and on each regular file inside a named directory, so a seed corpus
 * or a crash reproducer runs as a plain test.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path, struct berth_error **err)
{
	_cleanup_free_ char *data = NULL;
	size_t len;

	if (fs_read_file(path, &data, &len, err) < 0)
		return -1;

	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	printf("ran %s\n", path);
	return 0;
}

static int run_directory(const char *path, struct berth_error **err)
{
	_cleanup_closedir_ DIR *dir = opendir(path);
	struct dirent *entry;

	if (dir == NULL)
		return berth_error_set(err, errno, "open directory '%s'", path);

	while ((entry = readdir(dir)) != NULL) {
		_cleanup_free_ char *file = NULL;

		if (entry->d_name[0] == '.')
			continue;

		file = fs_path_join(path, entry->d_name);
		if (run_file(file, err) < 0)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct berth_error *err = NULL;
	struct stat st;
	int i;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) < 0) {
			berth_error_set(&err, errno, "stat '%s'", argv[i]);
			return berth_error_report(&err, argv[0], stderr);
		}

		if (S_ISDIR(st.st_mode) ? run_directory(argv[i], &err) < 0 :
					  run_file(argv[i], &err) < 0)
			return berth_error_report(&err, argv[0], stderr);
	}
	return 0;
}

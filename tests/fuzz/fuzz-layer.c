/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the layer extractor: unpack arbitrary bytes (a tar, plain or
 * compressed) into SANDBOX/root and abort if anything appears in
 * SANDBOX/outside, the directory escape attempts in the corpus aim at.
 * The sandbox is removed after each input.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/layer.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool dir_is_empty(const char *path)
{
	_cleanup_closedir_ DIR *d = opendir(path);
	struct dirent *de;

	if (d == NULL)
		return false;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			return false;
	return true;
}

static void unpack_input(const char *sandbox, const uint8_t *data, size_t size)
{
	_cleanup_free_ char *root = fs_path_join(sandbox, "root");
	_cleanup_close_ int root_fd = -1;
	_cleanup_close_ int input = -1;
	struct berth_error *err = NULL;

	if (mkdir(root, 0755) < 0)
		abort();
	root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	input = memfd_create("fuzz-layer", MFD_CLOEXEC);
	if (root_fd < 0 || input < 0 ||
	    fs_write_all(input, data, size, NULL) < 0 ||
	    lseek(input, 0, SEEK_SET) != 0)
		abort();

	(void)layer_unpack_fd(input, root_fd, &err);
	berth_error_free(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char sandbox[] = "/tmp/berth-fuzz-layer-XXXXXX";
	_cleanup_free_ char *outside = NULL;

	if (mkdtemp(sandbox) == NULL)
		abort();
	outside = fs_path_join(sandbox, "outside");
	if (mkdir(outside, 0755) < 0)
		abort();

	unpack_input(sandbox, data, size);

	if (!dir_is_empty(outside)) {
		fprintf(stderr, "layer wrote outside its root\n");
		abort();
	}
	if (fs_rm_rf(sandbox, NULL) < 0)
		abort();
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz user resolution against an image's /etc/passwd and /etc/group.
 * The input is "SPEC\nPASSWD\0GROUP"; both files come from the image,
 * so they are untrusted. GROUP runs to the end of the input and may hold
 * NUL bytes. A resolved user named by number must keep it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/user.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *input = xmalloc(size + 2);
	struct user_ids ids = {0};
	struct berth_error *err = NULL;
	char *passwd, *group, *nl;
	size_t group_len = 0;

	memcpy(input, data, size);
	input[size] = '\0';
	input[size + 1] = '\0';

	nl = strchr(input, '\n');
	if (nl == NULL)
		return 0;
	*nl = '\0';
	passwd = nl + 1;
	group = passwd + strlen(passwd) + 1;
	if (group > input + size)
		group = NULL;
	else
		group_len = (size_t)(input + size - group);

	if (user_resolve_memory(input, passwd, strlen(passwd), group, group_len,
				&ids, &err) < 0) {
		if (err == NULL || err->msg == NULL)
			abort();
		berth_error_free(&err);
		return 0;
	}

	if (strcmp(input, "0") == 0 && ids.uid != 0)
		abort();
	if (ids.n_groups > 0 && ids.groups == NULL)
		abort();
	user_ids_clear(&ids);
	return 0;
}

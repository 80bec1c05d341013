/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the handling of a registry's upload Location header in push. The
 * input is the request path, a newline, then the Location value. The
 * resolved URL must keep an absolute or rooted Location as it is and
 * end with a relative one, and the digest must be appended as the last
 * query parameter.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/push-internal.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char digest[] =
	"sha256:"
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
static const char query_tail[] =
	"digest=sha256%3A"
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/* The location without its fragment must end the resolved URL. */
static void check_resolved(const char *path, const char *location,
			   const char *url)
{
	size_t url_len = strlen(url);
	size_t loc_len = strcspn(location, "#");

	if (location[0] == '/' || strncmp(location, "http://", 7) == 0 ||
	    strncmp(location, "https://", 8) == 0) {
		if (url_len != loc_len || strncmp(url, location, loc_len) != 0)
			abort();
		return;
	}
	if (url_len < loc_len ||
	    strncmp(url + url_len - loc_len, location, loc_len) != 0)
		abort();
	if (strchr(path, '/') != NULL && url_len > loc_len &&
	    url[url_len - loc_len - 1] != '/')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *input = xstrndup((const char *)data, size);
	_cleanup_free_ char *url = NULL;
	_cleanup_free_ char *with_digest = NULL;
	char *location = strchr(input, '\n');
	size_t len;

	if (location == NULL)
		return 0;
	*location++ = '\0';

	url = push_resolve_location(input, location);
	check_resolved(input, location, url);

	with_digest = push_url_with_digest(url, digest);
	len = strlen(with_digest);
	if (len < sizeof(query_tail) ||
	    strcmp(with_digest + len - (sizeof(query_tail) - 1), query_tail))
		abort();
	if (strchr(with_digest, '?') == NULL)
		abort();
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the --publish and --expose parsers. The first byte picks the
 * parser and the rest is the flag's value. An accepted value has ports
 * from 1 to 65535, ordered ranges, and host and container ranges of one
 * length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/port-spec.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_accepted(const struct net_port_spec *p)
{
	if (p->container_first == 0 || p->container_first > p->container_last)
		abort();
	if (p->host_first == 0 && p->host_last != 0)
		abort();
	if (p->host_first != 0 &&
	    p->host_last - p->host_first !=
		    p->container_last - p->container_first)
		abort();
	if (p->proto != NET_PROTO_TCP && p->proto != NET_PROTO_UDP)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = NULL;
	struct berth_error *err = NULL;
	struct net_port_spec p;
	int r;

	if (size < 1)
		return 0;

	/* The flags come from argv, so they never contain NUL. */
	text = xstrndup((const char *)data + 1, size - 1);
	if (data[0] % 2 == 0)
		r = net_port_spec_parse(text, &p, &err);
	else
		r = net_port_expose_parse(text, &p, &err);

	if (r < 0) {
		if (err == NULL || err->msg == NULL)
			abort();
		berth_error_free(&err);
		return 0;
	}
	if (err != NULL)
		abort();
	check_accepted(&p);
	return 0;
}

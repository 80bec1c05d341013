/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the network file parser (ROOT/networks/<name>.json) and the
 * CIDR parser. An accepted network must survive a round trip through
 * net_network_to_json() unchanged, and every attached container's
 * address must be a usable host address of the subnet.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/cidr.h"
#include "net/network.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/json.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(struct berth_error **err)
{
	if (*err == NULL || (*err)->msg == NULL)
		abort();
	berth_error_free(err);
}

/* The first line of the input as a CIDR; accepted ones format back. */
static void fuzz_cidr(const uint8_t *data, size_t size)
{
	const void *nl = memchr(data, '\n', size);
	_cleanup_free_ char *line = xstrndup(
		(const char *)data,
		nl != NULL ? (size_t)((const uint8_t *)nl - data) : size);
	struct berth_error *err = NULL;
	struct net_cidr c;
	char text[19];

	if (net_cidr_parse(line, &c, &err) < 0) {
		check_error(&err);
		return;
	}
	net_cidr_format(&c, text);
	if (strcmp(text, line) != 0 || c.prefix > 32)
		abort();
}

static void check_network(const struct net_network *net)
{
	_cleanup_json_ json_t *j = net_network_to_json(net);
	_cleanup_free_ char *first = json_dump_canonical(j);
	_cleanup_free_ char *second = NULL;
	_cleanup_json_ json_t *j2 = NULL;
	struct net_network *copy = NULL;

	for (size_t i = 0; i < net->n_containers; i++) {
		uint32_t ip = net->containers[i].ip;

		if (!net_cidr_contains(&net->subnet, ip) || ip == net->gateway)
			abort();
	}

	if (net_network_from_json(j, "copy", &copy, NULL) < 0)
		abort();
	j2 = net_network_to_json(copy);
	second = json_dump_canonical(j2);
	net_network_free(copy);
	if (strcmp(first, second) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_json_ json_t *j = NULL;
	struct berth_error *err = NULL;
	struct net_network *net = NULL;

	fuzz_cidr(data, size);

	if (json_parse_buffer((const char *)data, size, "fuzz", &j, &err) < 0) {
		check_error(&err);
		return 0;
	}
	if (net_network_from_json(j, "fuzz", &net, &err) < 0) {
		check_error(&err);
		return 0;
	}
	check_network(net);
	net_network_free(net);
	return 0;
}

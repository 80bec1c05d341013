/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_NET_PORT_SPEC_H
#define BERTH_NET_PORT_SPEC_H

/*
 * The values of -p/--publish, [IP:][HOSTPORT:]CONTAINERPORT[/PROTO],
 * and of --expose, PORT[/PROTO]. Each port may be a range FIRST-LAST,
 * and a host range must be as long as its container range. IPv6 host
 * addresses are not supported.
 */

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

enum net_proto {
	NET_PROTO_TCP,
	NET_PROTO_UDP,
};

struct net_port_spec {
	uint32_t host_ip;    /* host byte order, 0 = all addresses */
	uint16_t host_first; /* 0 = an ephemeral port per container port */
	uint16_t host_last;  /* host_first when not a range */
	uint16_t container_first;
	uint16_t container_last;
	enum net_proto proto;
};

/* Parse a --publish value. Errors name the value. */
int net_port_spec_parse(const char *text, struct net_port_spec *ret,
			struct berth_error **err);

/* Parse an --expose value or an ExposedPorts key such as "80/tcp". */
int net_port_expose_parse(const char *text, struct net_port_spec *ret,
			  struct berth_error **err);

/* "tcp" or "udp". */
const char *net_proto_name(enum net_proto proto);

/* Parse "tcp" or "udp". Returns -1 for anything else. */
int net_proto_parse(const char *name, enum net_proto *ret);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "net/port-spec.h"

#include <string.h>

#include "net/cidr.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

const char *net_proto_name(enum net_proto proto)
{
	return proto == NET_PROTO_UDP ? "udp" : "tcp";
}

int net_proto_parse(const char *name, enum net_proto *ret)
{
	if (strcmp(name, "tcp") == 0)
		*ret = NET_PROTO_TCP;
	else if (strcmp(name, "udp") == 0)
		*ret = NET_PROTO_UDP;
	else
		return -1;
	return 0;
}

/* A decimal port 1..65535, without sign, spaces or leading zeros. */
static int parse_port(const char *s, size_t len, uint16_t *ret)
{
	unsigned long n = 0;

	if (len == 0 || len > 5 || (s[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		n = n * 10 + (unsigned long)(s[i] - '0');
	}
	if (n > 65535)
		return -1;
	*ret = (uint16_t)n;
	return 0;
}

/* PORT or FIRST-LAST with FIRST <= LAST. */
static int parse_range(const char *s, size_t len, uint16_t *first,
		       uint16_t *last)
{
	const char *dash = memchr(s, '-', len);

	if (dash == NULL) {
		if (parse_port(s, len, first) < 0)
			return -1;
		*last = *first;
		return 0;
	}
	if (parse_port(s, (size_t)(dash - s), first) < 0 ||
	    parse_port(dash + 1, len - (size_t)(dash - s) - 1, last) < 0)
		return -1;
	return *first <= *last ? 0 : -1;
}

/* Split off "/PROTO" and return the length of what is before it. */
static int parse_proto(const char *text, size_t *len, enum net_proto *proto)
{
	const char *slash = strchr(text, '/');

	*len = strlen(text);
	*proto = NET_PROTO_TCP;
	if (slash == NULL)
		return 0;
	*len = (size_t)(slash - text);
	return net_proto_parse(slash + 1, proto);
}

static int parse_host_ip(const char *s, size_t len, uint32_t *ret)
{
	_cleanup_free_ char *ip = xstrndup(s, len);

	if (len == 0) {
		*ret = 0;
		return 0;
	}
	return net_ip_parse(ip, ret, NULL);
}

static int invalid(const char *text, const char *why, struct berth_error **err)
{
	return berth_error_set(err, 0, "invalid port '%s': %s", text, why);
}

static int parse_host_part(const char *text, size_t len,
			   struct net_port_spec *p, struct berth_error **err)
{
	const char *colon = memchr(text, ':', len);
	size_t port_len = len;
	const char *port = text;

	if (colon != NULL) {
		if (parse_host_ip(text, (size_t)(colon - text), &p->host_ip) <
		    0)
			return invalid(text,
				       "the host address is not an IPv4 "
				       "address",
				       err);
		port = colon + 1;
		port_len = len - (size_t)(port - text);
	}
	if (port_len == 0)
		return 0;
	if (parse_range(port, port_len, &p->host_first, &p->host_last) < 0)
		return invalid(text,
			       "the host port is not a number from 1 to "
			       "65535 or a range FIRST-LAST",
			       err);
	return 0;
}

int net_port_spec_parse(const char *text, struct net_port_spec *ret,
			struct berth_error **err)
{
	struct net_port_spec p = {0};
	const char *colon, *cport;
	size_t len;

	if (parse_proto(text, &len, &p.proto) < 0)
		return invalid(text, "the protocol must be tcp or udp", err);

	colon = NULL;
	for (size_t i = len; i > 0; i--)
		if (text[i - 1] == ':') {
			colon = text + i - 1;
			break;
		}
	cport = colon != NULL ? colon + 1 : text;

	if (parse_range(cport, len - (size_t)(cport - text), &p.container_first,
			&p.container_last) < 0)
		return invalid(text,
			       "use [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp] "
			       "with ports from 1 to 65535",
			       err);

	if (colon != NULL &&
	    parse_host_part(text, (size_t)(colon - text), &p, err) < 0)
		return -1;

	if (p.host_first != 0 &&
	    p.host_last - p.host_first != p.container_last - p.container_first)
		return invalid(text,
			       "the host and container port ranges differ "
			       "in length",
			       err);

	*ret = p;
	return 0;
}

int net_port_expose_parse(const char *text, struct net_port_spec *ret,
			  struct berth_error **err)
{
	struct net_port_spec p = {0};
	size_t len;

	if (parse_proto(text, &len, &p.proto) < 0 ||
	    parse_range(text, len, &p.container_first, &p.container_last) < 0)
		return invalid(text, "use PORT[/tcp|/udp] or FIRST-LAST", err);

	*ret = p;
	return 0;
}

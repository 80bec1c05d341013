/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "net/cidr.h"

#include <stdio.h>
#include <string.h>

/* One decimal part of 0..255 without a leading zero; return its length. */
static size_t parse_octet(const char *s, unsigned *ret)
{
	unsigned v = 0;
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9' && n < 4) {
		v = v * 10 + (unsigned)(s[n] - '0');
		n++;
	}
	if (n == 0 || n > 3 || v > 255 || (n > 1 && s[0] == '0'))
		return 0;
	*ret = v;
	return n;
}

/* Parse a dotted quad at the start of s; return the length or 0. */
static size_t parse_quad(const char *s, uint32_t *ret)
{
	uint32_t ip = 0;
	size_t pos = 0;

	for (int i = 0; i < 4; i++) {
		unsigned octet;
		size_t n = parse_octet(s + pos, &octet);

		if (n == 0)
			return 0;
		ip = (ip << 8) | octet;
		pos += n;
		if (i < 3) {
			if (s[pos] != '.')
				return 0;
			pos++;
		}
	}
	*ret = ip;
	return pos;
}

int net_ip_parse(const char *s, uint32_t *ret, struct berth_error **err)
{
	size_t n = parse_quad(s, ret);

	if (n == 0 || s[n] != '\0')
		return berth_error_set(err, 0,
				       "invalid IPv4 address '%s': use four "
				       "numbers 0-255, such as 10.89.1.2",
				       s);
	return 0;
}

uint32_t net_cidr_mask(const struct net_cidr *cidr)
{
	return cidr->prefix == 0 ? 0 : UINT32_MAX << (32 - cidr->prefix);
}

int net_cidr_parse(const char *s, struct net_cidr *ret,
		   struct berth_error **err)
{
	struct net_cidr c = {0};
	size_t n = parse_quad(s, &c.addr);
	unsigned prefix = 0;
	size_t digits = 0;
	char fixed[19];

	if (n > 0 && s[n] == '/') {
		const char *p = s + n + 1;

		while (p[digits] >= '0' && p[digits] <= '9' && digits < 3) {
			prefix = prefix * 10 + (unsigned)(p[digits] - '0');
			digits++;
		}
		if (p[digits] != '\0' || (digits > 1 && p[0] == '0'))
			digits = 0;
	}
	if (n == 0 || digits == 0 || prefix > 32)
		return berth_error_set(err, 0,
				       "invalid subnet '%s': use "
				       "ADDRESS/PREFIX such as 10.89.1.0/24",
				       s);

	c.prefix = prefix;
	if ((c.addr & ~net_cidr_mask(&c)) != 0) {
		c.addr &= net_cidr_mask(&c);
		net_cidr_format(&c, fixed);
		return berth_error_set(err, 0,
				       "invalid subnet '%s': the address has "
				       "host bits set, use '%s'",
				       s, fixed);
	}
	*ret = c;
	return 0;
}

bool net_cidr_contains(const struct net_cidr *cidr, uint32_t ip)
{
	return (ip & net_cidr_mask(cidr)) == cidr->addr;
}

bool net_cidr_overlaps(const struct net_cidr *a, const struct net_cidr *b)
{
	const struct net_cidr *wider = a->prefix <= b->prefix ? a : b;
	const struct net_cidr *narrower = wider == a ? b : a;

	return net_cidr_contains(wider, narrower->addr);
}

uint32_t net_cidr_last(const struct net_cidr *cidr)
{
	return cidr->addr | ~net_cidr_mask(cidr);
}

void net_ip_format(uint32_t ip, char buf[static 16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff,
		 (ip >> 8) & 0xff, ip & 0xff);
}

void net_cidr_format(const struct net_cidr *cidr, char buf[static 19])
{
	char ip[16];

	net_ip_format(cidr->addr, ip);
	snprintf(buf, 19, "%s/%u", ip, cidr->prefix);
}

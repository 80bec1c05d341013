/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "net/cidr.h"
#include "net/port-spec.h"
#include "util/error.h"

static struct net_port_spec parse_ok(const char *text)
{
	struct berth_error *err = NULL;
	struct net_port_spec p;

	assert_int_equal(net_port_spec_parse(text, &p, &err), 0);
	assert_null(err);
	return p;
}

static void parse_fails(const char *text, const char *part)
{
	struct berth_error *err = NULL;
	struct net_port_spec p;

	assert_int_equal(net_port_spec_parse(text, &p, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err->msg, text));
	assert_non_null(strstr(err->msg, part));
	berth_error_free(&err);
}

static void container_port_only(void **state)
{
	struct net_port_spec p = parse_ok("80");

	(void)state;
	assert_int_equal(p.host_ip, 0);
	assert_int_equal(p.host_first, 0);
	assert_int_equal(p.container_first, 80);
	assert_int_equal(p.container_last, 80);
	assert_int_equal(p.proto, NET_PROTO_TCP);
}

static void host_and_container_port(void **state)
{
	struct net_port_spec p = parse_ok("8080:80/udp");

	(void)state;
	assert_int_equal(p.host_ip, 0);
	assert_int_equal(p.host_first, 8080);
	assert_int_equal(p.host_last, 8080);
	assert_int_equal(p.container_first, 80);
	assert_int_equal(p.proto, NET_PROTO_UDP);
}

static void address_without_host_port(void **state)
{
	struct net_port_spec p = parse_ok("127.0.0.1::80/tcp");
	uint32_t loopback;

	(void)state;
	assert_int_equal(net_ip_parse("127.0.0.1", &loopback, NULL), 0);
	assert_int_equal(p.host_ip, loopback);
	assert_int_equal(p.host_first, 0);
	assert_int_equal(p.container_first, 80);
}

static void address_and_host_port(void **state)
{
	struct net_port_spec p = parse_ok("10.1.2.3:8443:443");
	uint32_t addr;

	(void)state;
	assert_int_equal(net_ip_parse("10.1.2.3", &addr, NULL), 0);
	assert_int_equal(p.host_ip, addr);
	assert_int_equal(p.host_first, 8443);
	assert_int_equal(p.container_first, 443);
}

static void port_ranges(void **state)
{
	struct net_port_spec p = parse_ok("8000-8002:80-82");

	(void)state;
	assert_int_equal(p.host_first, 8000);
	assert_int_equal(p.host_last, 8002);
	assert_int_equal(p.container_first, 80);
	assert_int_equal(p.container_last, 82);

	p = parse_ok("80-82");
	assert_int_equal(p.host_first, 0);
	assert_int_equal(p.container_last, 82);
}

static void invalid_values(void **state)
{
	(void)state;
	parse_fails("", "CONTAINERPORT");
	parse_fails("0", "CONTAINERPORT");
	parse_fails("65536", "CONTAINERPORT");
	parse_fails("080", "CONTAINERPORT");
	parse_fails("80/sctp", "tcp or udp");
	parse_fails("80/", "tcp or udp");
	parse_fails("http", "CONTAINERPORT");
	parse_fails("82-80", "CONTAINERPORT");
	parse_fails("8080:", "CONTAINERPORT");
	parse_fails("x:80", "host port");
	parse_fails("127.0.0.1:80", "host port");
	parse_fails("300.0.0.1::80", "IPv4");
	parse_fails("::1::80", "host port");
	parse_fails("8000-8001:80-82", "differ");
	parse_fails("8000-8002:80", "differ");
}

static void expose_values(void **state)
{
	struct berth_error *err = NULL;
	struct net_port_spec p;

	(void)state;
	assert_int_equal(net_port_expose_parse("53/udp", &p, &err), 0);
	assert_int_equal(p.container_first, 53);
	assert_int_equal(p.proto, NET_PROTO_UDP);

	assert_int_equal(net_port_expose_parse("7000-7002", &p, &err), 0);
	assert_int_equal(p.container_last, 7002);

	assert_int_equal(net_port_expose_parse("8080:80", &p, &err), -1);
	assert_non_null(strstr(err->msg, "8080:80"));
	berth_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(container_port_only),
		cmocka_unit_test(host_and_container_port),
		cmocka_unit_test(address_without_host_port),
		cmocka_unit_test(address_and_host_port),
		cmocka_unit_test(port_ranges),
		cmocka_unit_test(invalid_values),
		cmocka_unit_test(expose_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

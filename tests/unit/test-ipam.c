/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "net/cidr.h"
#include "net/ipam.h"
#include "net/network.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/json.h"

#define ID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define ID_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define NET_ID \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static uint32_t ip(const char *s)
{
	uint32_t v = 0;

	assert_int_equal(net_ip_parse(s, &v, NULL), 0);
	return v;
}

static struct net_network *make_network(const char *subnet, const char *gateway)
{
	_cleanup_json_ json_t *j =
		json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", "test",
			  "id", NET_ID, "driver", "bridge", "subnet", subnet,
			  "gateway", gateway, "bridge", "br-0123456789ab",
			  "created", "2024-01-01T00:00:00Z");
	struct net_network *net = NULL;

	assert_int_equal(net_network_from_json(j, "test", &net, NULL), 0);
	return net;
}

static void expect_error(int r, struct berth_error **err, const char *part)
{
	assert_int_equal(r, -1);
	assert_non_null(*err);
	assert_non_null(strstr((*err)->msg, part));
	berth_error_free(err);
}

static void cidr_parse_valid(void **state)
{
	struct net_cidr c;
	char text[19];

	assert_int_equal(net_cidr_parse("10.89.1.0/24", &c, NULL), 0);
	assert_int_equal(c.addr, ip("10.89.1.0"));
	assert_int_equal(c.prefix, 24);
	net_cidr_format(&c, text);
	assert_string_equal(text, "10.89.1.0/24");

	assert_int_equal(net_cidr_parse("0.0.0.0/0", &c, NULL), 0);
	assert_int_equal(c.prefix, 0);
	assert_int_equal(net_cidr_parse("10.1.2.3/32", &c, NULL), 0);
}

static void cidr_parse_invalid(void **state)
{
	static const char *const bad[] = {
		"",
		"10.89.1.0",
		"10.89.1.0/",
		"10.89.1.0/33",
		"10.89.1/24",
		"10.89.1.0.0/24",
		"010.89.1.0/24",
		"10.89.1.0/024",
		"256.0.0.0/8",
		"10.89.1.0/24x",
		"a.b.c.d/8",
		"10.89.1.0/-1",
	};
	struct berth_error *err = NULL;
	struct net_cidr c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(net_cidr_parse(bad[i], &c, &err), &err,
			     "invalid subnet");
}

static void cidr_host_bits_rejected(void **state)
{
	struct berth_error *err = NULL;
	struct net_cidr c;

	expect_error(net_cidr_parse("10.89.1.5/24", &c, &err), &err,
		     "use '10.89.1.0/24'");
}

static void cidr_overlap(void **state)
{
	struct net_cidr a, b, c;

	assert_int_equal(net_cidr_parse("10.89.0.0/16", &a, NULL), 0);
	assert_int_equal(net_cidr_parse("10.89.7.0/24", &b, NULL), 0);
	assert_int_equal(net_cidr_parse("10.90.0.0/24", &c, NULL), 0);
	assert_true(net_cidr_overlaps(&a, &b));
	assert_true(net_cidr_overlaps(&b, &a));
	assert_false(net_cidr_overlaps(&a, &c));
	assert_false(net_cidr_overlaps(&b, &c));
}

static void ipam_lowest_free_skips_gateway(void **state)
{
	struct net_network *net = make_network("10.89.1.0/24", "10.89.1.1");
	uint32_t a, b;

	assert_int_equal(net_ipam_allocate(net, ID_A, "a", NULL, &a, NULL), 0);
	assert_int_equal(a, ip("10.89.1.2"));
	assert_int_equal(net_ipam_allocate(net, ID_B, "b", NULL, &b, NULL), 0);
	assert_int_equal(b, ip("10.89.1.3"));
	assert_int_equal(net->n_containers, 2);
	net_network_free(net);
}

static void ipam_release_reuses_address(void **state)
{
	struct net_network *net = make_network("10.89.1.0/24", "10.89.1.1");
	uint32_t a, b, c;

	assert_int_equal(net_ipam_allocate(net, ID_A, "a", NULL, &a, NULL), 0);
	assert_int_equal(net_ipam_allocate(net, ID_B, "b", NULL, &b, NULL), 0);
	assert_true(net_ipam_release(net, ID_A));
	assert_false(net_ipam_release(net, ID_A));
	assert_int_equal(net->n_containers, 1);
	assert_string_equal(net->containers[0].container, ID_B);

	assert_int_equal(net_ipam_allocate(net, ID_C, "c", NULL, &c, NULL), 0);
	assert_int_equal(c, a);
	net_network_free(net);
}

static void ipam_requested_address(void **state)
{
	struct net_network *net = make_network("10.89.1.0/24", "10.89.1.1");
	struct berth_error *err = NULL;
	uint32_t a;

	assert_int_equal(
		net_ipam_allocate(net, ID_A, "a", "10.89.1.77", &a, NULL), 0);
	assert_int_equal(a, ip("10.89.1.77"));

	expect_error(net_ipam_allocate(net, ID_B, "b", "10.89.1.77", &a, &err),
		     &err, "already in use by container 'a'");
	expect_error(net_ipam_allocate(net, ID_B, "b", "10.89.2.7", &a, &err),
		     &err, "not a host address");
	expect_error(net_ipam_allocate(net, ID_B, "b", "10.89.1.0", &a, &err),
		     &err, "not a host address");
	expect_error(net_ipam_allocate(net, ID_B, "b", "10.89.1.255", &a, &err),
		     &err, "not a host address");
	expect_error(net_ipam_allocate(net, ID_B, "b", "10.89.1.1", &a, &err),
		     &err, "gateway");
	expect_error(net_ipam_allocate(net, ID_B, "b", "10.89.1", &a, &err),
		     &err, "invalid IPv4 address");
	expect_error(net_ipam_allocate(net, ID_A, "a", NULL, &a, &err), &err,
		     "already attached");

	/* A failed request changes nothing. */
	assert_int_equal(net->n_containers, 1);
	net_network_free(net);
}

static void ipam_full_subnet(void **state)
{
	struct net_network *net = make_network("10.89.1.0/30", "10.89.1.1");
	struct berth_error *err = NULL;
	uint32_t a;

	assert_int_equal(net_ipam_allocate(net, ID_A, "a", NULL, &a, NULL), 0);
	assert_int_equal(a, ip("10.89.1.2"));
	expect_error(net_ipam_allocate(net, ID_B, "b", NULL, &a, &err), &err,
		     "no free address");
	net_network_free(net);
}

static void subnet_choose_skips_taken(void **state)
{
	struct net_cidr taken[2], c;
	char text[19];

	assert_int_equal(net_cidr_parse("10.89.0.0/23", &taken[0], NULL), 0);
	assert_int_equal(net_cidr_parse("10.89.2.128/25", &taken[1], NULL), 0);
	assert_int_equal(net_subnet_choose(taken, 2, &c, NULL), 0);
	net_cidr_format(&c, text);
	assert_string_equal(text, "10.89.3.0/24");
}

static void subnet_choose_none_left(void **state)
{
	struct berth_error *err = NULL;
	struct net_cidr taken, c;

	assert_int_equal(net_cidr_parse("10.89.0.0/16", &taken, NULL), 0);
	expect_error(net_subnet_choose(&taken, 1, &c, &err), &err,
		     "no free subnet");
}

static void network_json_round_trip(void **state)
{
	struct net_network *net = make_network("10.89.4.0/24", "10.89.4.1");
	struct net_network *copy = NULL;
	_cleanup_json_ json_t *j = NULL;
	uint32_t a;

	assert_int_equal(net_ipam_allocate(net, ID_A, "a", NULL, &a, NULL), 0);
	j = net_network_to_json(net);
	assert_int_equal(net_network_from_json(j, "copy", &copy, NULL), 0);
	assert_string_equal(copy->name, "test");
	assert_int_equal(copy->n_containers, 1);
	assert_int_equal(copy->containers[0].ip, a);
	assert_non_null(net_network_find(copy, ID_A));
	assert_null(net_network_find(copy, ID_B));
	net_network_free(copy);
	net_network_free(net);
}

static void network_json_rejects_bad_fields(void **state)
{
	static const struct {
		const char *key;
		const char *value;
		const char *message;
	} cases[] = {
		{"gateway", "10.89.5.1", "is not a host address"},
		{"gateway", "10.89.4.0", "is not a host address"},
		{"subnet", "10.89.4.0/31", "too small"},
		{"driver", "macvlan", "unsupported driver"},
		{"bridge", "a-very-long-bridge-name", "bridge device"},
		{"name", "-x", "invalid network name"},
		{"id", "12", "invalid network id"},
	};
	struct berth_error *err = NULL;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct net_network *net =
			make_network("10.89.4.0/24", "10.89.4.1");
		_cleanup_json_ json_t *j = net_network_to_json(net);
		struct net_network *bad = NULL;

		net_network_free(net);
		json_object_set_new(j, cases[i].key,
				    json_string(cases[i].value));
		expect_error(net_network_from_json(j, "t", &bad, &err), &err,
			     cases[i].message);
		assert_null(bad);
	}
}

static void network_json_rejects_duplicate_address(void **state)
{
	struct net_network *net = make_network("10.89.4.0/24", "10.89.4.1");
	_cleanup_json_ json_t *j = NULL;
	struct berth_error *err = NULL;
	struct net_network *bad = NULL;
	uint32_t a;

	assert_int_equal(net_ipam_allocate(net, ID_A, "a", NULL, &a, NULL), 0);
	j = net_network_to_json(net);
	net_network_free(net);
	json_array_append(json_object_get(j, "containers"),
			  json_array_get(json_object_get(j, "containers"), 0));
	expect_error(net_network_from_json(j, "t", &bad, &err), &err,
		     "listed twice");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cidr_parse_valid),
		cmocka_unit_test(cidr_parse_invalid),
		cmocka_unit_test(cidr_host_bits_rejected),
		cmocka_unit_test(cidr_overlap),
		cmocka_unit_test(ipam_lowest_free_skips_gateway),
		cmocka_unit_test(ipam_release_reuses_address),
		cmocka_unit_test(ipam_requested_address),
		cmocka_unit_test(ipam_full_subnet),
		cmocka_unit_test(subnet_choose_skips_taken),
		cmocka_unit_test(subnet_choose_none_left),
		cmocka_unit_test(network_json_round_trip),
		cmocka_unit_test(network_json_rejects_bad_fields),
		cmocka_unit_test(network_json_rejects_duplicate_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

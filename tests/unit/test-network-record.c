/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The endpoints of a container's network record and their device names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "engine/network-record.h"
#include "util/cleanup.h"
#include "util/json.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static json_t *record(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);

	assert_non_null(j);
	return j;
}

static void endpoints_main_first(void **state)
{
	_cleanup_json_ json_t *r = record(
		"{\"mode\": \"bridge\", \"network\": \"front\", \"ip\": "
		"\"10.89.1.2\", \"more\": [{\"network\": \"back\", \"ifname\": "
		"\"eth1\"}, 7, {\"network\": \"side\", \"ifname\": "
		"\"eth3\"}]}");
	_cleanup_json_ json_t *eps = network_record_endpoints(r);

	(void)state;
	assert_int_equal(json_array_size(eps), 3);
	assert_ptr_equal(json_array_get(eps, 0), r);
	assert_string_equal(
		network_record_string(json_array_get(eps, 2), "network"),
		"side");
	assert_ptr_equal(network_record_endpoint(r, "front"), r);
	assert_string_equal(
		network_endpoint_ifname(network_record_endpoint(r, "back")),
		"eth1");
	assert_null(network_record_endpoint(r, "missing"));
	assert_string_equal(network_endpoint_ifname(r), "eth0");
}

static void endpoints_only_on_bridge(void **state)
{
	_cleanup_json_ json_t *r = record(
		"{\"mode\": \"none\", \"network\": \"front\", \"more\": []}");
	_cleanup_json_ json_t *eps = network_record_endpoints(r);
	_cleanup_json_ json_t *none = network_record_endpoints(NULL);

	(void)state;
	assert_int_equal(json_array_size(eps), 0);
	assert_int_equal(json_array_size(none), 0);
	assert_null(network_record_endpoint(r, "front"));
	assert_string_equal(network_record_string(r, "ip"), "");
}

static void veth_names_never_collide(void **state)
{
	_cleanup_json_ json_t *main_ep = record("{\"ifname\": \"eth0\"}");
	_cleanup_json_ json_t *second = record("{\"ifname\": \"eth1\"}");
	_cleanup_json_ json_t *last = record("{\"ifname\": \"eth15\"}");
	char a[16], b[16], c[16];

	(void)state;
	network_endpoint_veth(ID, main_ep, a);
	network_endpoint_veth(ID, second, b);
	network_endpoint_veth(ID, last, c);
	assert_string_equal(a, "vb0123456789a");
	assert_string_equal(b, "vb0123456789x1");
	assert_string_equal(c, "vb0123456789x15");
	assert_true(strlen(c) < 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(endpoints_main_first),
		cmocka_unit_test(endpoints_only_on_bridge),
		cmocka_unit_test(veth_names_never_collide),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

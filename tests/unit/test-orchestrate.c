/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compose/compose.h"
#include "compose/orchestrate.h"
#include "util/strv.h"

static const char project_text[] = "services:\n"
				   "  web:\n"
				   "    image: busybox\n"
				   "    entrypoint: [sh, -c]\n"
				   "    command: [echo hi]\n"
				   "    environment: {A: b}\n"
				   "    user: '1000'\n"
				   "    working_dir: /srv\n"
				   "    read_only: true\n"
				   "    tmpfs: [/run]\n"
				   "    cap_add: [NET_ADMIN]\n"
				   "    cap_drop: [MKNOD]\n"
				   "    mem_limit: 64m\n"
				   "    cpus: 0.5\n"
				   "    pids_limit: 50\n"
				   "    labels: {team: web}\n"
				   "    hostname: box\n"
				   "    cgroup_parent: /apps\n"
				   "    stop_signal: SIGQUIT\n"
				   "    stop_grace_period: 3s\n"
				   "    extra_hosts: ['db=10.0.0.9']\n"
				   "    dns_search: corp.example\n"
				   "    dns_opt: [ndots:2]\n"
				   "    volumes:\n"
				   "      - data:/data:ro\n"
				   "      - /srv/conf:/conf\n"
				   "    networks:\n"
				   "      back: {aliases: [api]}\n"
				   "      side: {ipv4_address: 10.1.2.3}\n"
				   "  app:\n"
				   "    build: .\n"
				   "    container_name: my-app\n"
				   "    depends_on: [web]\n"
				   "  lone:\n"
				   "    image: busybox\n"
				   "  sidecar:\n"
				   "    image: busybox\n"
				   "    network_mode: service:lone\n"
				   "volumes:\n"
				   "  data: {}\n"
				   "networks:\n"
				   "  back: {}\n"
				   "  side: {}\n";

static struct compose_project *load(const char *text)
{
	struct compose_project *p = NULL;
	json_t *vars = json_object();
	json_t *doc = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(compose_parse_data(text, strlen(text), "c.yaml",
					    "/proj", vars, NULL, &doc, &err),
			 0);
	assert_int_equal(
		compose_project_build(doc, "proj", "/proj", vars, &p, &err), 0);
	json_decref(doc);
	json_decref(vars);
	return p;
}

static void test_create_options(void **state)
{
	struct compose_project *p = load(project_text);
	const struct compose_service *s = compose_project_service(p, "web");
	struct engine_create_options o;
	struct berth_error *err = NULL;
	char **owned = NULL;
	char *hash = compose_service_hash(p, s);
	char *label = NULL;

	(void)state;
	assert_int_equal(compose_create_options(p, s, false, &o, &owned, &err),
			 0);
	assert_string_equal(o.image, "busybox");
	assert_string_equal(o.name, "proj-web-1");
	assert_true(o.has_entrypoint);
	assert_string_equal(o.entrypoint, "sh");
	assert_int_equal(strv_length(o.cmd), 2);
	assert_string_equal(o.cmd[0], "-c");
	assert_string_equal(o.cmd[1], "echo hi");
	assert_true(strv_contains(o.env, "A=b"));
	assert_string_equal(o.user, "1000");
	assert_string_equal(o.workdir, "/srv");
	assert_string_equal(o.hostname, "box");
	assert_string_equal(o.cgroup_parent, "/apps");
	assert_true(o.read_only);
	assert_true(strv_contains(o.tmpfs, "/run"));
	assert_true(strv_contains(o.cap_add, "NET_ADMIN"));
	assert_true(strv_contains(o.cap_drop, "MKNOD"));
	assert_int_equal(o.memory, 64 * 1024 * 1024);
	assert_int_equal(o.cpu_quota, 50000);
	assert_int_equal(o.pids_limit, 50);
	assert_string_equal(o.stop_signal, "SIGQUIT");
	assert_int_equal(o.stop_timeout, 3);
	assert_true(strv_contains(o.add_hosts, "db:10.0.0.9"));
	assert_true(strv_contains(o.dns_search, "corp.example"));
	assert_true(strv_contains(o.dns_options, "ndots:2"));
	assert_string_equal(o.network, "proj_back");
	assert_true(strv_contains(o.network_aliases, "web"));
	assert_true(strv_contains(o.network_aliases, "api"));
	assert_int_equal(o.n_more_networks, 1);
	assert_string_equal(o.more_networks[0].network, "proj_side");
	assert_string_equal(o.more_networks[0].ip, "10.1.2.3");
	assert_true(strv_contains(o.more_networks[0].aliases, "web"));
	assert_false(strv_contains(o.more_networks[0].aliases, "api"));
	assert_true(strv_contains(
		o.mounts,
		"type=volume,source=proj_data,target=/data,readonly"));
	assert_true(strv_contains(o.volumes, "/srv/conf:/conf:rw"));

	assert_true(strv_contains(o.labels, "team=web"));
	assert_true(strv_contains(o.labels, COMPOSE_LABEL_PROJECT "=proj"));
	assert_true(strv_contains(o.labels, COMPOSE_LABEL_SERVICE "=web"));
	assert_true(strv_contains(o.labels, COMPOSE_LABEL_ONEOFF "=False"));
	assert_int_equal(asprintf(&label, COMPOSE_LABEL_HASH "=%s", hash) > 0,
			 1);
	assert_true(strv_contains(o.labels, label));

	compose_create_options_clear(&o);
	strv_free(owned);
	free(label);
	free(hash);
	compose_project_free(p);
}

static void test_names_and_images(void **state)
{
	struct compose_project *p = load(project_text);
	const struct compose_service *app = compose_project_service(p, "app");
	char *name = compose_container_name(p, app);
	char *image = compose_service_image(p, app);

	(void)state;
	assert_string_equal(name, "my-app");
	assert_string_equal(image, "proj-app");
	free(name);
	free(image);
	compose_project_free(p);
}

static void test_hash_follows_config(void **state)
{
	struct compose_project *a = load(project_text);
	struct compose_project *b = load(project_text);
	struct compose_project *c =
		load("services:\n  web:\n    image: busybox:other\n");
	char *ha = compose_service_hash(a, compose_project_service(a, "web"));
	char *hb = compose_service_hash(b, compose_project_service(b, "web"));
	char *hc = compose_service_hash(c, compose_project_service(c, "web"));

	(void)state;
	assert_int_equal(strlen(ha), 64);
	assert_string_equal(ha, hb);
	assert_string_not_equal(ha, hc);
	free(ha);
	free(hb);
	free(hc);
	compose_project_free(a);
	compose_project_free(b);
	compose_project_free(c);
}

/* network_mode service:NAME joins that container and starts after it. */
static void test_network_mode_service(void **state)
{
	struct compose_project *p = load(project_text);
	const struct compose_service *s = compose_project_service(p, "sidecar");
	struct engine_create_options o;
	struct berth_error *err = NULL;
	char *only[] = {"sidecar", NULL};
	char **owned = NULL;
	size_t *order = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(compose_create_options(p, s, false, &o, &owned, &err),
			 0);
	assert_string_equal(o.network, "container:proj-lone-1");
	assert_int_equal(o.n_more_networks, 0);

	assert_int_equal(compose_selected_order(p, only, &order, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(p->services[order[0]].name, "lone");

	free(order);
	compose_create_options_clear(&o);
	strv_free(owned);
	compose_project_free(p);
}

static void test_selected_order(void **state)
{
	struct compose_project *p = load(project_text);
	char *only_app[] = {"app", NULL};
	char *unknown[] = {"nosuch", NULL};
	struct berth_error *err = NULL;
	size_t *order = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(compose_selected_order(p, only_app, &order, &n, &err),
			 0);
	assert_int_equal(n, 2);
	assert_string_equal(p->services[order[0]].name, "web");
	assert_string_equal(p->services[order[1]].name, "app");
	free(order);

	assert_int_equal(compose_selected_order(p, NULL, &order, &n, &err), 0);
	assert_int_equal(n, 4);
	free(order);

	assert_int_equal(compose_selected_order(p, unknown, &order, &n, &err),
			 -1);
	assert_non_null(strstr(err->msg, "no such service: 'nosuch'"));
	berth_error_free(&err);
	compose_project_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_options),
		cmocka_unit_test(test_names_and_images),
		cmocka_unit_test(test_hash_follows_config),
		cmocka_unit_test(test_selected_order),
		cmocka_unit_test(test_network_mode_service),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

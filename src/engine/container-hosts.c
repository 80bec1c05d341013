/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/container-hosts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/container-store.h"
#include "net/store.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

static void append_names(FILE *out, const json_t *arr)
{
	size_t i;
	json_t *v;

	json_array_foreach (arr, i, v)
		if (json_is_string(v))
			fprintf(out, " %s", json_string_value(v));
}

/* Write a line per address of the container with its names there. */
static void write_own_entries(FILE *out, json_t *record, json_t *endpoints)
{
	const char *hostname = network_record_string(record, "hostname");
	const char *name = network_record_string(record, "name");
	json_t *ep;
	size_t i;

	if (json_array_size(endpoints) == 0) {
		fprintf(out, "127.0.1.1\t%s\n", hostname);
		return;
	}

	json_array_foreach (endpoints, i, ep) {
		fprintf(out, "%s\t%s", network_record_string(ep, "ip"),
			hostname);
		if (strcmp(name, hostname) != 0)
			fprintf(out, " %s", name);
		append_names(out, json_object_get(ep, "aliases"));
		fputc('\n', out);
	}
}

/* Write the peer's address on net, its name and its aliases there. */
static void write_peer_entry(FILE *out, const struct engine *engine,
			     const struct net_network *net,
			     const struct net_attachment *a)
{
	_cleanup_free_ char *dir = container_dir(engine, a->container);
	_cleanup_json_ json_t *record = NULL;
	char ip[16];

	net_ip_format(a->ip, ip);
	fprintf(out, "%s\t%s", ip, a->name);
	if (network_record_load(dir, &record, NULL) == 0 && record != NULL)
		append_names(out, json_object_get(network_record_endpoint(
							  record, net->name),
						  "aliases"));
	fputc('\n', out);
}

/*
 * Write the peers on every user-defined network of the container. A
 * peer on several of them is written once, with its first address.
 */
static void write_peers(FILE *out, const struct engine *engine,
			const char *self, json_t *endpoints)
{
	_cleanup_strv_ char **seen = NULL;
	json_t *ep;
	size_t i;

	json_array_foreach (endpoints, i, ep) {
		const char *name = network_record_string(ep, "network");
		_cleanup_network_ struct net_network *net = NULL;

		/* As in Docker, the default network gives no names. */
		if (strcmp(name, NET_DEFAULT_NAME) == 0 ||
		    net_network_load(engine->root, name, &net, NULL) < 0)
			continue;

		for (size_t k = 0; k < net->n_containers; k++) {
			const struct net_attachment *a = &net->containers[k];

			if (strcmp(a->container, self) == 0 ||
			    strv_contains(seen, a->container))
				continue;
			strv_push(&seen, a->container);
			write_peer_entry(out, engine, net, a);
		}
	}
}

/* Return the address of "host-gateway", or "" when there is none. */
static const char *host_gateway(const json_t *record)
{
	const char *mode = network_record_string(record, "mode");

	if (strcmp(mode, "host") == 0)
		return "127.0.0.1";
	return network_record_string(record, "gateway");
}

static void write_add_hosts(FILE *out, const json_t *record)
{
	json_t *arr = json_object_get(record, "add_hosts"), *v;
	size_t i;

	json_array_foreach (arr, i, v) {
		const char *entry = json_string_value(v);
		const char *colon = entry != NULL ? strchr(entry, ':') : NULL;
		const char *ip;

		if (colon == NULL)
			continue;
		ip = colon + 1;
		if (strcmp(ip, CONTAINER_HOST_GATEWAY) == 0)
			ip = host_gateway(record);
		if (ip[0] != '\0')
			fprintf(out, "%s\t%.*s\n", ip, (int)(colon - entry),
				entry);
	}
}

/*
 * Replace the contents of path without replacing its inode. The new
 * data is written over the old before the file is cut to its length,
 * so that a process in the container that reads it meanwhile never
 * finds it empty, as it would after O_TRUNC.
 */
static int write_in_place(const char *dir, const char *name, const char *data,
			  size_t len, struct berth_error **err)
{
	_cleanup_free_ char *path = fs_path_join(dir, name);
	_cleanup_close_ int fd =
		open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0)
		return berth_error_set(err, errno, "open '%s'", path);
	if (fs_write_all(fd, data, len, err) < 0)
		return -1;
	if (ftruncate(fd, (off_t)len) < 0)
		return berth_error_set(err, errno, "truncate '%s'", path);
	return 0;
}

int container_hosts_write(const struct engine *engine, const char *dir,
			  const char *id, json_t *record,
			  struct berth_error **err)
{
	_cleanup_json_ json_t *endpoints = network_record_endpoints(record);
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&data, &len);

	if (out == NULL)
		return berth_error_set(err, errno, "open memory stream");

	fputs("127.0.0.1\tlocalhost\n"
	      "::1\tlocalhost ip6-localhost ip6-loopback\n",
	      out);
	write_own_entries(out, record, endpoints);
	write_peers(out, engine, id, endpoints);
	write_add_hosts(out, record);
	fclose(out);

	return write_in_place(dir, "hosts", data, len, err);
}

/* Return whether line is a search, domain or options line. */
static bool is_lookup_setting(const char *line)
{
	char word[16];

	return sscanf(line, " %15s", word) == 1 &&
	       (strcmp(word, "search") == 0 || strcmp(word, "domain") == 0 ||
		strcmp(word, "options") == 0);
}

/*
 * Copy the host's resolv.conf without name servers on 127.0.0.0/8 or
 * ::1, and without its search and options lines when the container has
 * its own.
 */
static void copy_host_resolv(FILE *out, bool own_settings)
{
	_cleanup_fclose_ FILE *in = fopen("/etc/resolv.conf", "re");
	char line[1024];
	bool any = false;

	while (in != NULL && fgets(line, sizeof(line), in) != NULL) {
		char server[64];

		if (own_settings && is_lookup_setting(line))
			continue;
		if (sscanf(line, " nameserver %63s", server) == 1) {
			if (strncmp(server, "127.", 4) == 0 ||
			    strcmp(server, "::1") == 0)
				continue;
			any = true;
		}
		fputs(line, out);
	}
	if (!any)
		fputs("# no name servers: the host has none that the "
		      "container can reach; use --dns\n",
		      out);
}

/* Write a "search" or "options" line of the words in arr, if any. */
static void write_setting(FILE *out, const char *key, const json_t *arr)
{
	json_t *v;
	size_t i;

	if (json_array_size(arr) == 0)
		return;
	fputs(key, out);
	json_array_foreach (arr, i, v)
		fprintf(out, " %s", json_string_value(v));
	fputc('\n', out);
}

int container_resolv_write(const char *dir, const json_t *record,
			   struct berth_error **err)
{
	json_t *dns = json_object_get(record, "dns"), *v;
	json_t *search = json_object_get(record, "dns_search");
	json_t *options = json_object_get(record, "dns_options");
	const char *mode = network_record_string(record, "mode");
	bool own = json_array_size(search) + json_array_size(options) > 0;
	bool bridge = strcmp(mode, "bridge") == 0;
	_cleanup_free_ char *data = NULL;
	size_t len = 0, i;
	FILE *out;

	/* Without DNS flags, a container without a network keeps its file. */
	if (json_array_size(dns) == 0 && !bridge && !own)
		return 0;

	out = open_memstream(&data, &len);
	if (out == NULL)
		return berth_error_set(err, errno, "open memory stream");

	json_array_foreach (dns, i, v)
		fprintf(out, "nameserver %s\n", json_string_value(v));
	if (json_array_size(dns) == 0 && bridge)
		copy_host_resolv(out, own);
	write_setting(out, "search", search);
	write_setting(out, "options", options);
	fclose(out);

	return write_in_place(dir, "resolv.conf", data, len, err);
}

void container_hosts_update_peers(const struct engine *engine,
				  const struct net_network *net,
				  const char *skip_id)
{
	if (strcmp(net->name, NET_DEFAULT_NAME) == 0)
		return;

	for (size_t i = 0; i < net->n_containers; i++) {
		const char *id = net->containers[i].container;
		_cleanup_free_ char *dir = container_dir(engine, id);
		_cleanup_json_ json_t *record = NULL;

		if (strcmp(id, skip_id) == 0 ||
		    network_record_load(dir, &record, NULL) < 0 ||
		    record == NULL)
			continue;
		(void)container_hosts_write(engine, dir, id, record, NULL);
	}
}

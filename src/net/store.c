/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "net/store.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "net/ipam.h"
#include "net/link.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/lock.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* A subnet in use, and what uses it, for the overlap message. */
struct taken_subnet {
	struct net_cidr cidr;
	char *owner;
};

static char *networks_dir(const char *root)
{
	return fs_path_join(root, "networks");
}

static char *network_path(const char *root, const char *name)
{
	_cleanup_free_ char *dir = networks_dir(root);
	char *path;

	xasprintf(&path, "%s/%s.json", dir, name);
	return path;
}

int net_store_lock(const char *root, int *ret_fd, struct berth_error **err)
{
	_cleanup_free_ char *dir = networks_dir(root);
	_cleanup_free_ char *path = fs_path_join(root, "networks.lock");

	if (fs_mkdir_p(dir, 0700, err) < 0)
		return -1;
	return lock_acquire(path, LOCK_MODE_EXCLUSIVE, ret_fd, err);
}

static int load_file(const char *root, const char *name,
		     struct net_network **ret, struct berth_error **err)
{
	_cleanup_free_ char *path = network_path(root, name);
	_cleanup_json_ json_t *j = NULL;

	if (!fs_exists(path))
		return berth_error_set(err, ENOENT,
				       "network '%s' not found: list networks "
				       "with 'berth network ls'",
				       name);
	if (json_parse_file(path, &j, err) < 0)
		return -1;
	return net_network_from_json(j, path, ret, err);
}

int net_network_save(const char *root, const struct net_network *net,
		     struct berth_error **err)
{
	_cleanup_free_ char *path = network_path(root, net->name);
	_cleanup_json_ json_t *j = net_network_to_json(net);

	return json_write_file_atomic(path, j, err);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int net_network_list(const char *root, char ***ret_names,
		     struct berth_error **err)
{
	_cleanup_free_ char *dir = networks_dir(root);
	_cleanup_closedir_ DIR *d = opendir(dir);
	char **names = xzalloc(sizeof(char *));
	struct dirent *de;

	if (d == NULL && errno != ENOENT) {
		strv_free(names);
		return berth_error_set(err, errno, "open '%s'", dir);
	}

	while (d != NULL && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len > 5 && strcmp(de->d_name + len - 5, ".json") == 0)
			strv_push_take(&names, xstrndup(de->d_name, len - 5));
	}
	qsort(names, strv_length(names), sizeof(char *), compare_names);
	*ret_names = names;
	return 0;
}

static void taken_free(struct taken_subnet *taken, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(taken[i].owner);
	free(taken);
}

static void taken_add(struct taken_subnet **taken, size_t *n,
		      const struct net_cidr *cidr, char *owner)
{
	*taken = xreallocarray(*taken, *n + 1, sizeof(**taken));
	(*taken)[*n].cidr = *cidr;
	(*taken)[*n].owner = owner;
	(*n)++;
}

/* The subnets of the store's networks. */
static int taken_by_networks(const char *root, struct taken_subnet **taken,
			     size_t *n, struct berth_error **err)
{
	_cleanup_strv_ char **names = NULL;

	if (net_network_list(root, &names, err) < 0)
		return -1;

	for (size_t i = 0; names[i] != NULL; i++) {
		_cleanup_network_ struct net_network *net = NULL;
		char *owner;

		if (load_file(root, names[i], &net, err) < 0)
			return -1;
		xasprintf(&owner, "network '%s'", net->name);
		taken_add(taken, n, &net->subnet, owner);
	}
	return 0;
}

/*
 * The host's IPv4 routes but the default route, from /proc/net/route,
 * where addresses are hex in network byte order. Bridges of networks in
 * other stores show up here too, so two stores never share a subnet.
 */
static void taken_by_routes(struct taken_subnet **taken, size_t *n)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/net/route", "re");
	char line[512];

	if (f == NULL || fgets(line, sizeof(line), f) == NULL)
		return;

	while (fgets(line, sizeof(line), f) != NULL) {
		char iface[64];
		unsigned dst, gw, flags, refcnt, use, metric, mask;
		struct net_cidr c;
		char *owner;

		if (sscanf(line, "%63s %x %x %x %u %u %u %x", iface, &dst, &gw,
			   &flags, &refcnt, &use, &metric, &mask) != 8 ||
		    mask == 0)
			continue;
		c.addr = ntohl_u32(dst);
		c.prefix = (unsigned)__builtin_popcount(mask);
		xasprintf(&owner, "the host route on '%s'", iface);
		taken_add(taken, n, &c, owner);
	}
}

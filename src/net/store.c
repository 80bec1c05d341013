/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "net/store.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "net/ipam.h"
#include "net/isolation.h"
#include "net/link.h"
#include "net/nat.h"
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
		return berth_error_set(err, 0,
				       "network '%s' not found: list networks "
				       "with 'berth network ls'",
				       name);
	if (json_parse_file(path, &j, err) < 0)
		return -1;
	return net_network_from_json(j, path, ret, err);
}

bool net_network_exists(const char *root, const char *name)
{
	_cleanup_free_ char *path = network_path(root, name);

	return fs_exists(path);
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
 * other stores show up here too, so a second store avoids their subnets.
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
		c.addr = ntohl(dst);
		c.prefix = (unsigned)__builtin_popcount(mask);
		xasprintf(&owner, "the host route on '%s'", iface);
		taken_add(taken, n, &c, owner);
	}
}

static int check_overlap(const struct net_cidr *subnet, const char *given,
			 const struct taken_subnet *taken, size_t n,
			 struct berth_error **err)
{
	for (size_t i = 0; i < n; i++) {
		char other[19];

		if (!net_cidr_overlaps(subnet, &taken[i].cidr))
			continue;
		net_cidr_format(&taken[i].cidr, other);
		return berth_error_set(err, 0,
				       "subnet '%s' overlaps %s (%s): choose "
				       "another subnet",
				       given, taken[i].owner, other);
	}
	return 0;
}

/*
 * The ranges that a bridge cannot use. The kernel routes 127.0.0.0/8 to
 * lo through the local table, which /proc/net/route omits. The others
 * are no host's addresses: RFC 1122 "this network", RFC 5771 multicast,
 * RFC 1112 class E and the broadcast address.
 */
static void taken_by_reserved(struct taken_subnet **taken, size_t *n)
{
	static const struct {
		struct net_cidr cidr;
		const char *owner;
	} reserved[] = {
		{{0x00000000, 8}, "the reserved range 'this network'"},
		{{0x7f000000, 8}, "the loopback range"},
		{{0xe0000000, 4}, "the multicast range"},
		{{0xf0000000, 4}, "the reserved class E range"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(reserved); i++)
		taken_add(taken, n, &reserved[i].cidr,
			  xstrdup(reserved[i].owner));
}

/*
 * NOTE: the lock covers one store only. Two stores that create networks
 * at the same moment can both pick a subnet before either bridge's
 * route exists.
 */
static int choose_subnet(const char *root, const char *given,
			 struct net_cidr *ret, struct berth_error **err)
{
	struct taken_subnet *taken = NULL;
	struct net_cidr *cidrs = NULL;
	size_t n = 0;
	int r;

	r = taken_by_networks(root, &taken, &n, err);
	if (r == 0) {
		taken_by_routes(&taken, &n);
		taken_by_reserved(&taken, &n);
	}

	if (r == 0 && given != NULL) {
		r = net_cidr_parse(given, ret, err);
		if (r == 0)
			r = check_overlap(ret, given, taken, n, err);
	} else if (r == 0) {
		cidrs = xreallocarray(NULL, n + 1, sizeof(*cidrs));
		for (size_t i = 0; i < n; i++)
			cidrs[i] = taken[i].cidr;
		r = net_subnet_choose(cidrs, n, ret, err);
	}
	free(cidrs);
	taken_free(taken, n);
	return r;
}

static int random_id(char ret[static NET_ID_LEN + 1], struct berth_error **err)
{
	unsigned char bytes[NET_ID_LEN / 2];

	if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes))
		return berth_error_set(err, errno, "read random bytes");
	for (size_t i = 0; i < sizeof(bytes); i++)
		snprintf(ret + 2 * i, 3, "%02x", bytes[i]);
	return 0;
}

static char *now_rfc3339(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[32];
	char *s;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	xasprintf(&s, "%s.%09ldZ", buf, ts.tv_nsec);
	return s;
}

static json_t *labels_object(char *const *labels, struct berth_error **err)
{
	json_t *obj = json_object();

	for (size_t i = 0; labels != NULL && labels[i] != NULL; i++) {
		const char *eq = strchr(labels[i], '=');
		_cleanup_free_ char *key =
			eq != NULL ?
				xstrndup(labels[i], (size_t)(eq - labels[i])) :
				xstrdup(labels[i]);

		if (key[0] == '\0') {
			json_decref(obj);
			berth_error_set(err, 0,
					"invalid label '%s': the key is "
					"empty, use KEY=VALUE",
					labels[i]);
			return NULL;
		}
		json_object_set_new(obj, key,
				    json_string(eq != NULL ? eq + 1 : ""));
	}
	return obj;
}

/*
 * Build the network's record and check it with the same parser that
 * reads the file back, so a bad --gateway fails like a bad file would.
 */
static int build_network(const char *root, const struct net_create_options *o,
			 struct net_network **ret, struct berth_error **err)
{
	bool is_default = strcmp(o->name, NET_DEFAULT_NAME) == 0;
	_cleanup_free_ char *created = now_rfc3339();
	_cleanup_json_ json_t *j = NULL;
	char id[NET_ID_LEN + 1], subnet[19], gateway[16], bridge[16];
	struct net_cidr cidr;
	json_t *labels;

	if (random_id(id, err) < 0 ||
	    choose_subnet(root, o->subnet, &cidr, err) < 0)
		return -1;

	net_cidr_format(&cidr, subnet);
	if (o->gateway != NULL)
		snprintf(gateway, sizeof(gateway), "%s", o->gateway);
	else
		net_ip_format(cidr.addr + 1, gateway);
	snprintf(bridge, sizeof(bridge), "%s",
		 is_default ? NET_DEFAULT_BRIDGE : "br-");
	if (!is_default)
		snprintf(bridge + 3, sizeof(bridge) - 3, "%.12s", id);

	labels = labels_object(o->labels, err);
	if (labels == NULL)
		return -1;
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:[]}",
		      "name", o->name, "id", id, "driver", "bridge", "subnet",
		      subnet, "gateway", gateway, "bridge", bridge, "created",
		      created, "internal", o->internal, "labels", labels,
		      "containers");
	return net_network_from_json(j, "new network", ret, err);
}

static int create_locked(const char *root, const struct net_create_options *o,
			 struct net_network **ret, struct berth_error **err)
{
	_cleanup_free_ char *path = network_path(root, o->name);
	_cleanup_network_ struct net_network *net = NULL;

	if (net_name_validate(o->name, err) < 0)
		return -1;
	if (fs_exists(path))
		return berth_error_set(err, 0, "network '%s' already exists",
				       o->name);

	if (build_network(root, o, &net, err) < 0)
		return -1;

	if (net_bridge_ensure(net->bridge, net->gateway, net->subnet.prefix,
			      err) < 0 ||
	    net_nat_ensure(net, err) < 0 ||
	    net_isolation_ensure(net, err) < 0 ||
	    net_network_save(root, net, err) < 0) {
		(void)net_isolation_remove(net, NULL);
		(void)net_nat_remove(net, NULL);
		(void)net_link_delete(net->bridge, NULL);
		return -1;
	}
	*ret = net;
	net = NULL;
	return 0;
}

int net_network_load(const char *root, const char *name,
		     struct net_network **ret, struct berth_error **err)
{
	struct net_create_options o = {
		.name = NET_DEFAULT_NAME,
		.subnet = NET_DEFAULT_SUBNET,
	};
	_cleanup_free_ char *path = network_path(root, name);

	if (strcmp(name, NET_DEFAULT_NAME) == 0 && !fs_exists(path))
		return create_locked(root, &o, ret, err);
	return load_file(root, name, ret, err);
}

/*
 * "host" and "none" name network modes, so a network of that name could
 * never be used, and "bridge" is made on first use with its own subnet
 * and device. Docker rejects all three as well.
 */
static int check_predefined(const char *name, struct berth_error **err)
{
	static const char *const predefined[] = {NET_DEFAULT_NAME, "host",
						 "none"};

	for (size_t i = 0; i < ARRAY_SIZE(predefined); i++)
		if (strcmp(name, predefined[i]) == 0)
			return berth_error_set(err, 0,
					       "network '%s' is predefined: "
					       "choose another name",
					       name);
	return 0;
}

int net_network_create(const char *root, const struct net_create_options *opts,
		       struct net_network **ret, struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;

	if (check_predefined(opts->name, err) < 0 ||
	    net_store_lock(root, &lock, err) < 0)
		return -1;
	return create_locked(root, opts, ret, err);
}

int net_network_remove(const char *root, const char *name,
		       struct berth_error **err)
{
	_cleanup_free_ char *path = network_path(root, name);
	_cleanup_network_ struct net_network *net = NULL;
	_cleanup_lock_ int lock = -1;

	if (net_store_lock(root, &lock, err) < 0 ||
	    load_file(root, name, &net, err) < 0)
		return -1;

	if (net->n_containers > 0)
		return berth_error_set(err, 0,
				       "network '%s' has %zu attached "
				       "container(s), such as '%s': remove "
				       "them first",
				       name, net->n_containers,
				       net->containers[0].name);

	if (net_isolation_remove(net, err) < 0 ||
	    net_nat_remove(net, err) < 0 ||
	    net_link_delete(net->bridge, err) < 0)
		return -1;
	if (unlink(path) < 0)
		return berth_error_set(err, errno, "remove '%s'", path);
	return 0;
}

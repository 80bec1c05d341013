/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/network-endpoint.h"

#include <errno.h>

#include "engine/container-hosts.h"
#include "engine/network-record.h"
#include "net/ipam.h"
#include "net/isolation.h"
#include "net/link.h"
#include "net/nat.h"
#include "net/store.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"

int network_endpoint_allocate(struct engine *engine, const char *id,
			      const char *name,
			      const struct engine_endpoint_options *o,
			      const char *ifname, json_t **ret,
			      struct berth_error **err)
{
	_cleanup_network_ struct net_network *net = NULL;
	char ip[16], gateway[16];
	uint32_t addr;

	if (net_network_load(engine->root, o->network, &net, err) < 0)
		return -1;
	if (net_network_find(net, id) != NULL)
		return berth_error_set(err, EEXIST,
				       "container '%.12s' is already on "
				       "network '%s'",
				       id, net->name);
	if (net_ipam_allocate(net, id, name, o->ip, &addr, err) < 0 ||
	    net_network_save(engine->root, net, err) < 0)
		return -1;

	net_ip_format(addr, ip);
	net_ip_format(net->gateway, gateway);
	*ret = json_pack("{s:s, s:s, s:s, s:I, s:s, s:o, s:s}", "network",
			 net->name, "network_id", net->id, "ip", ip, "prefix",
			 (json_int_t)net->subnet.prefix, "gateway", gateway,
			 "aliases", json_strv_array(o->aliases), "ifname",
			 ifname);
	return 0;
}

void network_endpoint_release(struct engine *engine, const char *id,
			      const json_t *endpoint)
{
	const char *name = network_record_string(endpoint, "network");
	_cleanup_network_ struct net_network *net = NULL;

	if (!net_network_exists(engine->root, name) ||
	    net_network_load(engine->root, name, &net, NULL) < 0 ||
	    !net_ipam_release(net, id) ||
	    net_network_save(engine->root, net, NULL) < 0)
		return;
	container_hosts_update_peers(engine, net, id);
}

int network_endpoint_plug(struct engine *engine, const char *id,
			  const json_t *endpoint, int netns_fd, bool main,
			  struct berth_error **err)
{
	const char *name = network_record_string(endpoint, "network");
	_cleanup_network_ struct net_network *net = NULL;
	struct net_veth_config cfg = {
		.netns_fd = netns_fd,
		.ifname = network_endpoint_ifname(endpoint),
	};
	char host_name[16];
	int r;

	if (net_network_load(engine->root, name, &net, err) < 0)
		return -1;
	if (net_network_find(net, id) == NULL)
		return berth_error_set(err, 0,
				       "container '%.12s' has no address on "
				       "network '%s': recreate the container",
				       id, net->name);
	if (net_ip_parse(network_record_string(endpoint, "ip"), &cfg.ip, err) <
	    0)
		return -1;

	network_endpoint_veth(id, endpoint, host_name);
	cfg.host_name = host_name;
	cfg.bridge = net->bridge;
	cfg.prefix = net->subnet.prefix;
	cfg.gateway = net->gateway;
	cfg.default_route = main && !net->internal;

	/*
	 * After a reboot the bridge and its firewall rules are gone. The
	 * rules are checked only then, because each check runs iptables.
	 */
	r = net_bridge_ensure(net->bridge, net->gateway, net->subnet.prefix,
			      err);
	if (r < 0)
		return -1;
	if (r > 0 && (net_nat_ensure(net, err) < 0 ||
		      net_isolation_ensure(net, err) < 0))
		return -1;

	/* A monitor killed before its cleanup may have left the veth. */
	if (net_link_delete(host_name, err) < 0)
		return -1;
	return net_veth_setup(&cfg, err);
}

void network_endpoint_unplug(const char *id, const json_t *endpoint)
{
	char host_name[16];

	network_endpoint_veth(id, endpoint, host_name);
	(void)net_link_delete(host_name, NULL);
}

void network_endpoint_update_peers(struct engine *engine, const char *id,
				   const json_t *endpoint)
{
	const char *name = network_record_string(endpoint, "network");
	_cleanup_network_ struct net_network *net = NULL;

	if (net_network_load(engine->root, name, &net, NULL) == 0)
		container_hosts_update_peers(engine, net, id);
}

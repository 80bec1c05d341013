/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "net/link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"

/* The container end's name until it is renamed eth0 in the namespace. */
#define PEER_TEMP_SUFFIX "p"

static int nl_fail(struct berth_error **err, int nlerr, const char *what,
		   const char *name)
{
	return berth_error_set(err, 0, "%s '%s': %s", what, name,
			       nl_geterror(nlerr));
}

static int socket_open(struct nl_sock **ret, struct berth_error **err)
{
	struct nl_sock *sk = nl_socket_alloc();
	int r;

	if (sk == NULL)
		return berth_error_set(err, ENOMEM, "allocate netlink socket");
	r = nl_connect(sk, NETLINK_ROUTE);
	if (r < 0) {
		nl_socket_free(sk);
		return berth_error_set(err, 0, "connect rtnetlink: %s",
				       nl_geterror(r));
	}
	*ret = sk;
	return 0;
}

static void socket_closep(struct nl_sock **sk)
{
	if (*sk != NULL)
		nl_socket_free(*sk);
}

static void link_putp(struct rtnl_link **link)
{
	if (*link != NULL)
		rtnl_link_put(*link);
}

#define _cleanup_nl_sock_ __attribute__((cleanup(socket_closep)))
#define _cleanup_link_ __attribute__((cleanup(link_putp)))

static struct nl_addr *ipv4_addr(uint32_t ip, unsigned prefix)
{
	uint32_t be = htonl(ip);
	struct nl_addr *a = nl_addr_build(AF_INET, &be, sizeof(be));

	if (a != NULL)
		nl_addr_set_prefixlen(a, (int)prefix);
	return a;
}

static int add_address(struct nl_sock *sk, int ifindex, uint32_t ip,
		       unsigned prefix, const char *name,
		       struct berth_error **err)
{
	struct rtnl_addr *addr = rtnl_addr_alloc();
	struct nl_addr *local = ipv4_addr(ip, prefix);
	int r = -NLE_NOMEM;

	if (addr != NULL && local != NULL) {
		rtnl_addr_set_ifindex(addr, ifindex);
		rtnl_addr_set_local(addr, local);
		r = rtnl_addr_add(sk, addr, 0);
	}
	if (local != NULL)
		nl_addr_put(local);
	if (addr != NULL)
		rtnl_addr_put(addr);
	if (r < 0 && r != -NLE_EXIST)
		return nl_fail(err, r, "add address to", name);
	return 0;
}

/* Set the device up, with master (an ifindex) when it is not 0. */
static int link_up(struct nl_sock *sk, struct rtnl_link *link, int master,
		   const char *name, struct berth_error **err)
{
	_cleanup_link_ struct rtnl_link *change = rtnl_link_alloc();
	int r;

	if (change == NULL)
		return berth_error_set(err, ENOMEM, "allocate link");
	rtnl_link_set_flags(change, IFF_UP);
	if (master != 0)
		rtnl_link_set_master(change, master);
	r = rtnl_link_change(sk, link, change, 0);
	if (r < 0)
		return nl_fail(err, r, "set up device", name);
	return 0;
}

static int bridge_create(struct nl_sock *sk, const char *name,
			 struct berth_error **err)
{
	_cleanup_link_ struct rtnl_link *link = rtnl_link_bridge_alloc();
	int r;

	if (link == NULL)
		return berth_error_set(err, ENOMEM, "allocate bridge");
	rtnl_link_set_name(link, name);
	r = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
	if (r < 0 && r != -NLE_EXIST)
		return nl_fail(err, r, "create bridge", name);
	return 0;
}

int net_bridge_ensure(const char *name, uint32_t gateway, unsigned prefix,
		      struct berth_error **err)
{
	_cleanup_nl_sock_ struct nl_sock *sk = NULL;
	_cleanup_link_ struct rtnl_link *link = NULL;
	bool created = false;
	int r;

	if (socket_open(&sk, err) < 0)
		return -1;

	if (rtnl_link_get_kernel(sk, 0, name, &link) < 0) {
		if (bridge_create(sk, name, err) < 0)
			return -1;
		created = true;
		r = rtnl_link_get_kernel(sk, 0, name, &link);
		if (r < 0)
			return nl_fail(err, r, "find bridge", name);
	}

	if (add_address(sk, rtnl_link_get_ifindex(link), gateway, prefix, name,
			err) < 0 ||
	    link_up(sk, link, 0, name, err) < 0)
		return -1;
	return created ? 1 : 0;
}

static int delete_by_name(struct nl_sock *sk, const char *name,
			  struct berth_error **err)
{
	_cleanup_link_ struct rtnl_link *link = NULL;
	int r;

	if (rtnl_link_get_kernel(sk, 0, name, &link) < 0)
		return 0;
	r = rtnl_link_delete(sk, link);
	if (r < 0 && r != -NLE_OBJ_NOTFOUND && r != -NLE_NODEV)
		return nl_fail(err, r, "delete device", name);
	return 0;
}

int net_link_delete(const char *name, struct berth_error **err)
{
	_cleanup_nl_sock_ struct nl_sock *sk = NULL;

	if (socket_open(&sk, err) < 0)
		return -1;
	return delete_by_name(sk, name, err);
}

bool net_link_exists(const char *name)
{
	return if_nametoindex(name) != 0;
}

static int veth_create(struct nl_sock *sk, const struct net_veth_config *cfg,
		       const char *peer_name, struct berth_error **err)
{
	_cleanup_link_ struct rtnl_link *veth = rtnl_link_veth_alloc();
	struct rtnl_link *peer;
	int r;

	if (veth == NULL)
		return berth_error_set(err, ENOMEM, "allocate veth");
	rtnl_link_set_name(veth, cfg->host_name);
	peer = rtnl_link_veth_get_peer(veth);
	rtnl_link_set_name(peer, peer_name);
	rtnl_link_set_ns_fd(peer, cfg->netns_fd);
	rtnl_link_put(peer);

	r = rtnl_link_add(sk, veth, NLM_F_CREATE | NLM_F_EXCL);
	if (r < 0)
		return nl_fail(err, r, "create veth", cfg->host_name);
	return 0;
}

static int host_end_up(struct nl_sock *sk, const struct net_veth_config *cfg,
		       struct berth_error **err)
{
	_cleanup_link_ struct rtnl_link *bridge = NULL;
	_cleanup_link_ struct rtnl_link *link = NULL;
	int r;

	r = rtnl_link_get_kernel(sk, 0, cfg->bridge, &bridge);
	if (r < 0)
		return nl_fail(err, r, "find bridge", cfg->bridge);
	r = rtnl_link_get_kernel(sk, 0, cfg->host_name, &link);
	if (r < 0)
		return nl_fail(err, r, "find veth", cfg->host_name);
	return link_up(sk, link, rtnl_link_get_ifindex(bridge), cfg->host_name,
		       err);
}

static int rename_link(struct nl_sock *sk, struct rtnl_link *link,
		       const char *name, struct berth_error **err)
{
	_cleanup_link_ struct rtnl_link *change = rtnl_link_alloc();
	int r;

	if (change == NULL)
		return berth_error_set(err, ENOMEM, "allocate link");
	rtnl_link_set_name(change, name);
	r = rtnl_link_change(sk, link, change, 0);
	if (r < 0)
		return nl_fail(err, r, "rename device to", name);
	return 0;
}

static int add_default_route(struct nl_sock *sk, int ifindex, uint32_t gateway,
			     int flags, struct berth_error **err)
{
	struct rtnl_route *route = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = ipv4_addr(0, 0);
	struct nl_addr *gw = ipv4_addr(gateway, 32);
	int r = -NLE_NOMEM;

	if (route != NULL && nh != NULL && dst != NULL && gw != NULL) {
		rtnl_route_set_family(route, AF_INET);
		rtnl_route_set_dst(route, dst);
		rtnl_route_nh_set_gateway(nh, gw);
		rtnl_route_nh_set_ifindex(nh, ifindex);
		rtnl_route_add_nexthop(route, nh);
		nh = NULL;
		r = rtnl_route_add(sk, route, NLM_F_CREATE | flags);
	}
	if (nh != NULL)
		rtnl_route_nh_free(nh);
	if (route != NULL)
		rtnl_route_put(route);
	if (dst != NULL)
		nl_addr_put(dst);
	if (gw != NULL)
		nl_addr_put(gw);
	if (r < 0)
		return nl_fail(err, r, "add the default route through",
			       "the gateway");
	return 0;
}

/* In the container's namespace: ifname with address and route, lo up. */
static int configure_inside(const struct net_veth_config *cfg,
			    const char *peer_name, struct berth_error **err)
{
	_cleanup_nl_sock_ struct nl_sock *sk = NULL;
	_cleanup_link_ struct rtnl_link *eth = NULL;
	_cleanup_link_ struct rtnl_link *lo = NULL;
	int r;

	if (socket_open(&sk, err) < 0)
		return -1;

	r = rtnl_link_get_kernel(sk, 0, peer_name, &eth);
	if (r < 0)
		return nl_fail(err, r, "find veth", peer_name);
	if (rename_link(sk, eth, cfg->ifname, err) < 0 ||
	    add_address(sk, rtnl_link_get_ifindex(eth), cfg->ip, cfg->prefix,
			cfg->ifname, err) < 0 ||
	    link_up(sk, eth, 0, cfg->ifname, err) < 0)
		return -1;

	r = rtnl_link_get_kernel(sk, 0, "lo", &lo);
	if (r < 0)
		return nl_fail(err, r, "find device", "lo");
	if (link_up(sk, lo, 0, "lo", err) < 0)
		return -1;

	if (!cfg->default_route)
		return 0;
	return add_default_route(sk, rtnl_link_get_ifindex(eth), cfg->gateway,
				 0, err);
}

/* The arguments of configure_inside(), passed through run_in_netns(). */
struct inside_args {
	const struct net_veth_config *cfg;
	const char *peer_name;
};

static int configure_inside_step(const void *data, struct berth_error **err)
{
	const struct inside_args *a = data;

	return configure_inside(a->cfg, a->peer_name, err);
}

/* Run step(data) with this thread in the network namespace netns_fd. */
static int run_in_netns(int netns_fd,
			int (*step)(const void *, struct berth_error **),
			const void *data, struct berth_error **err)
{
	_cleanup_close_ int saved =
		open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int r;

	if (saved < 0)
		return berth_error_set(err, errno, "open '%s'",
				       "/proc/thread-self/ns/net");
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return berth_error_set(err, errno,
				       "enter the container's network "
				       "namespace");

	r = step(data, err);

	if (setns(saved, CLONE_NEWNET) < 0)
		abort(); /* running on in the wrong namespace would be worse */
	return r;
}

int net_veth_setup(const struct net_veth_config *cfg, struct berth_error **err)
{
	_cleanup_nl_sock_ struct nl_sock *sk = NULL;
	char peer_name[IFNAMSIZ];

	snprintf(peer_name, sizeof(peer_name), "%.14s" PEER_TEMP_SUFFIX,
		 cfg->host_name);

	if (socket_open(&sk, err) < 0 ||
	    veth_create(sk, cfg, peer_name, err) < 0)
		return -1;

	if (host_end_up(sk, cfg, err) < 0 ||
	    run_in_netns(cfg->netns_fd, configure_inside_step,
			 &(struct inside_args){cfg, peer_name}, err) < 0) {
		(void)delete_by_name(sk, cfg->host_name, NULL);
		return -1;
	}
	return 0;
}

struct route_args {
	const char *ifname;
	uint32_t gateway;
};

static int replace_default_route(const void *data, struct berth_error **err)
{
	const struct route_args *a = data;
	_cleanup_nl_sock_ struct nl_sock *sk = NULL;
	_cleanup_link_ struct rtnl_link *link = NULL;
	int r;

	if (socket_open(&sk, err) < 0)
		return -1;
	r = rtnl_link_get_kernel(sk, 0, a->ifname, &link);
	if (r < 0)
		return nl_fail(err, r, "find device", a->ifname);
	return add_default_route(sk, rtnl_link_get_ifindex(link), a->gateway,
				 NLM_F_REPLACE, err);
}

int net_default_route_set(int netns_fd, const char *ifname, uint32_t gateway,
			  struct berth_error **err)
{
	return run_in_netns(netns_fd, replace_default_route,
			    &(struct route_args){ifname, gateway}, err);
}

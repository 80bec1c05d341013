/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "net/ipam.h"

#include <string.h>

#include "util/xalloc.h"

static const struct net_attachment *owner_of(const struct net_network *net,
					     uint32_t ip)
{
	for (size_t i = 0; i < net->n_containers; i++)
		if (net->containers[i].ip == ip)
			return &net->containers[i];
	return NULL;
}

static int check_requested(const struct net_network *net, const char *s,
			   uint32_t ip, struct berth_error **err)
{
	char subnet[19];
	const struct net_attachment *owner = owner_of(net, ip);

	net_cidr_format(&net->subnet, subnet);
	if (!net_cidr_contains(&net->subnet, ip) || ip == net->subnet.addr ||
	    ip == net_cidr_last(&net->subnet))
		return berth_error_set(err, 0,
				       "invalid address '%s': it is not a "
				       "host address of network '%s' (%s)",
				       s, net->name, subnet);
	if (ip == net->gateway)
		return berth_error_set(err, 0,
				       "invalid address '%s': it is the "
				       "gateway of network '%s'",
				       s, net->name);
	if (owner != NULL)
		return berth_error_set(err, 0,
				       "address '%s' on network '%s' is "
				       "already in use by container '%s'",
				       s, net->name, owner->name);
	return 0;
}

static int find_free(const struct net_network *net, uint32_t *ret,
		     struct berth_error **err)
{
	uint32_t last = net_cidr_last(&net->subnet);
	char subnet[19];

	for (uint32_t ip = net->subnet.addr + 1; ip < last; ip++) {
		if (ip != net->gateway && owner_of(net, ip) == NULL) {
			*ret = ip;
			return 0;
		}
	}

	net_cidr_format(&net->subnet, subnet);
	return berth_error_set(err, 0,
			       "network '%s' has no free address left in "
			       "'%s': remove a container or use a larger "
			       "subnet",
			       net->name, subnet);
}

int net_ipam_allocate(struct net_network *net, const char *container,
		      const char *name, const char *requested, uint32_t *ret,
		      struct berth_error **err)
{
	struct net_attachment *a;
	uint32_t ip;

	if (net_network_find(net, container) != NULL)
		return berth_error_set(err, 0,
				       "container '%s' is already attached "
				       "to network '%s'",
				       name, net->name);

	if (requested != NULL) {
		if (net_ip_parse(requested, &ip, err) < 0 ||
		    check_requested(net, requested, ip, err) < 0)
			return -1;
	} else if (find_free(net, &ip, err) < 0) {
		return -1;
	}

	net->containers = xreallocarray(net->containers, net->n_containers + 1,
					sizeof(*net->containers));
	a = &net->containers[net->n_containers++];
	a->container = xstrdup(container);
	a->name = xstrdup(name);
	a->ip = ip;
	*ret = ip;
	return 0;
}

bool net_ipam_release(struct net_network *net, const char *container)
{
	struct net_attachment *a = net_network_find(net, container);
	size_t i;

	if (a == NULL)
		return false;

	i = (size_t)(a - net->containers);
	free(a->container);
	free(a->name);
	memmove(a, a + 1, (net->n_containers - i - 1) * sizeof(*a));
	net->n_containers--;
	return true;
}

int net_subnet_choose(const struct net_cidr *taken, size_t n,
		      struct net_cidr *ret, struct berth_error **err)
{
	for (uint32_t third = 1; third <= 255; third++) {
		struct net_cidr c = {
			.addr = (10u << 24) | (89u << 16) | (third << 8),
			.prefix = 24,
		};
		bool free_subnet = true;

		for (size_t i = 0; i < n && free_subnet; i++)
			free_subnet = !net_cidr_overlaps(&c, &taken[i]);
		if (free_subnet) {
			*ret = c;
			return 0;
		}
	}
	return berth_error_set(err, 0,
			       "no free subnet left in 10.89.0.0/16: remove "
			       "a network or give one with --subnet");
}

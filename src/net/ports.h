/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_NET_PORTS_H
#define BERTH_NET_PORTS_H

/*
 * Published ports, forwarded by the kernel with iptables nat rules in
 * berth's own chains:
 *
 *	PREROUTING, OUTPUT -m addrtype --dst-type LOCAL -j BERTH-DNAT
 *	BERTH-DNAT [-d HOSTIP] -p PROTO --dport HOSTPORT
 *		-j DNAT --to-destination CONTAINERIP:PORT
 *	POSTROUTING -j BERTH-POSTROUTING
 *	BERTH-POSTROUTING -s 127.0.0.0/8 -o BRIDGE -d CONTAINERIP
 *		-p PROTO --dport PORT -j MASQUERADE
 *
 * The last rule, with route_localnet=1 on the bridge only, lets a port
 * answer on 127.0.0.1. Every rule of a container carries the comment
 * "berth:ID", so removal finds exactly its rules. Connections from
 * other hosts also need net.ipv4.ip_forward=1, which berth leaves to
 * the administrator.
 */

#include <stddef.h>
#include <stdint.h>

#include "net/network.h"
#include "net/port-spec.h"
#include "util/error.h"

struct net_port_binding {
	enum net_proto proto;
	uint16_t container_port;
	uint32_t host_ip; /* host byte order, 0 = all addresses */
	uint16_t host_port;
};

/*
 * Check that no host socket holds the binding's address and port by
 * binding a socket to it. The error reads "... port is already
 * allocated" and names IP:PORT.
 */
int net_port_check_free(const struct net_port_binding *b,
			struct berth_error **err);

/* Let the kernel choose a free port for b's address and protocol. */
int net_port_pick_ephemeral(const struct net_port_binding *b, uint16_t *ret,
			    struct berth_error **err);

/*
 * Add the rules of container id, whose address on net is container_ip.
 * A failure removes the rules added so far.
 */
int net_ports_forward(const char *id, const struct net_network *net,
		      uint32_t container_ip, const struct net_port_binding *b,
		      size_t n, struct berth_error **err);

/* Delete every rule whose comment names container id. */
void net_ports_unforward(const char *id);

#endif

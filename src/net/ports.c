/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "net/ports.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/cidr.h"
#include "net/iptables.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define DNAT_CHAIN "BERTH-DNAT"
#define POSTROUTING_CHAIN "BERTH-POSTROUTING"
#define LOOPBACK_NET 0x7f000000u /* 127.0.0.0/8 */

static bool is_loopback(uint32_t ip)
{
	return (ip & 0xff000000u) == LOOPBACK_NET;
}

static int open_socket(const struct net_port_binding *b, uint16_t port,
		       struct sockaddr_in *addr, struct berth_error **err)
{
	int type = b->proto == NET_PROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd < 0)
		return berth_error_set(err, errno, "create a socket");

	/* Sockets in TIME_WAIT do not hold a port against a listener. */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	*addr = (struct sockaddr_in){
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(b->host_ip),
	};
	return fd;
}

int net_port_check_free(const struct net_port_binding *b,
			struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_in addr;
	char ip[16];

	fd = open_socket(b, b->host_port, &addr, err);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
		return 0;

	net_ip_format(b->host_ip, ip);
	if (errno == EADDRINUSE)
		return berth_error_set(err, 0,
				       "failed to bind host port %s:%u/%s: "
				       "port is already allocated",
				       ip, b->host_port,
				       net_proto_name(b->proto));
	return berth_error_set(err, errno, "bind host port %s:%u/%s", ip,
			       b->host_port, net_proto_name(b->proto));
}

int net_port_pick_ephemeral(const struct net_port_binding *b, uint16_t *ret,
			    struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);

	fd = open_socket(b, 0, &addr, err);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&addr, &len) < 0)
		return berth_error_set(
			err, errno, "choose a free host port for %u/%s",
			b->container_port, net_proto_name(b->proto));
	*ret = ntohs(addr.sin_port);
	return 0;
}

static int ensure_chains(struct berth_error **err)
{
	char *prerouting[] = {"",	  "PREROUTING", "-m",
			      "addrtype", "--dst-type", "LOCAL",
			      "-j",	  DNAT_CHAIN,	NULL};
	char *output[] = {"",	      "OUTPUT",	    "-m",
			  "addrtype", "--dst-type", "LOCAL",
			  "-j",	      DNAT_CHAIN,   NULL};
	char *postrouting[] = {"", "POSTROUTING", "-j", POSTROUTING_CHAIN,
			       NULL};

	if (net_iptables_ensure_chain("nat", DNAT_CHAIN, err) < 0 ||
	    net_iptables_ensure_chain("nat", POSTROUTING_CHAIN, err) < 0 ||
	    net_iptables_ensure_rule("nat", "-A", prerouting, err) < 0 ||
	    net_iptables_ensure_rule("nat", "-A", output, err) < 0 ||
	    net_iptables_ensure_rule("nat", "-A", postrouting, err) < 0)
		return -1;
	return 0;
}

static int add_dnat(const char *comment, uint32_t container_ip,
		    const struct net_port_binding *b, struct berth_error **err)
{
	_cleanup_strv_ char **rule = NULL;
	char ip[16], port[8], dest[24];

	strv_push(&rule, "-A");
	strv_push(&rule, DNAT_CHAIN);
	if (b->host_ip != 0) {
		net_ip_format(b->host_ip, ip);
		strv_push(&rule, "-d");
		strv_push(&rule, ip);
	}
	snprintf(port, sizeof(port), "%u", b->host_port);
	net_ip_format(container_ip, ip);
	snprintf(dest, sizeof(dest), "%s:%u", ip, b->container_port);

	strv_push(&rule, "-p");
	strv_push(&rule, net_proto_name(b->proto));
	strv_push(&rule, "--dport");
	strv_push(&rule, port);
	strv_push(&rule, "-m");
	strv_push(&rule, "comment");
	strv_push(&rule, "--comment");
	strv_push(&rule, comment);
	strv_push(&rule, "-j");
	strv_push(&rule, "DNAT");
	strv_push(&rule, "--to-destination");
	strv_push(&rule, dest);
	return net_iptables_must("nat", rule, err);
}

/* Give connections from 127.0.0.0/8 a source the container can reply to. */
static int add_masquerade(const char *comment, const char *bridge,
			  uint32_t container_ip,
			  const struct net_port_binding *b,
			  struct berth_error **err)
{
	char ip[16], port[8];
	char *rule[] = {"-A",	     POSTROUTING_CHAIN,
			"-s",	     "127.0.0.0/8",
			"-o",	     (char *)bridge,
			"-d",	     ip,
			"-p",	     (char *)net_proto_name(b->proto),
			"--dport",   port,
			"-m",	     "comment",
			"--comment", (char *)comment,
			"-j",	     "MASQUERADE",
			NULL};

	net_ip_format(container_ip, ip);
	snprintf(port, sizeof(port), "%u", b->container_port);

	/* Two host ports of one container port need the rule once. */
	return net_iptables_ensure_rule("nat", "-A", rule, err);
}

static int set_route_localnet(const char *bridge, struct berth_error **err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;

	xasprintf(&path, "/proc/sys/net/ipv4/conf/%s/route_localnet", bridge);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "1", 1) != 1)
		return berth_error_set(err, errno, "set '%s' to 1", path);
	return 0;
}

static int forward_one(const char *comment, const struct net_network *net,
		       uint32_t container_ip, const struct net_port_binding *b,
		       struct berth_error **err)
{
	if (add_dnat(comment, container_ip, b, err) < 0)
		return -1;
	if (b->host_ip != 0 && !is_loopback(b->host_ip))
		return 0;
	if (set_route_localnet(net->bridge, err) < 0)
		return -1;
	return add_masquerade(comment, net->bridge, container_ip, b, err);
}

int net_ports_forward(const char *id, const struct net_network *net,
		      uint32_t container_ip, const struct net_port_binding *b,
		      size_t n, struct berth_error **err)
{
	_cleanup_free_ char *comment = NULL;

	if (n == 0)
		return 0;
	if (ensure_chains(err) < 0)
		return -1;

	xasprintf(&comment, "berth:%s", id);
	for (size_t i = 0; i < n; i++)
		if (forward_one(comment, net, container_ip, &b[i], err) < 0) {
			net_ports_unforward(id);
			return -1;
		}
	return 0;
}

/* Strip the quotes iptables -S puts around some values. */
static char *unquote(char *word)
{
	size_t len = strlen(word);

	if (len >= 2 && word[0] == '"' && word[len - 1] == '"') {
		word[len - 1] = '\0';
		return word + 1;
	}
	return word;
}

/* Turn one "-A CHAIN ..." line of iptables -S into "-D CHAIN ...". */
static char **delete_args(char *line, const char *comment)
{
	_cleanup_strv_ char **args = NULL;
	bool match = false;
	char *save = NULL;

	for (char *w = strtok_r(line, " ", &save); w != NULL;
	     w = strtok_r(NULL, " ", &save)) {
		w = unquote(w);
		if (strcmp(w, comment) == 0)
			match = true;
		strv_push(&args, w);
	}
	if (!match || args == NULL || strcmp(args[0], "-A") != 0)
		return NULL;
	free(args[0]);
	args[0] = xstrdup("-D");
	return TAKE_PTR(args);
}

static void unforward_chain(const char *chain, const char *comment)
{
	char *list[] = {"-S", (char *)chain, NULL};
	_cleanup_free_ char *output = NULL;
	char *save = NULL;

	if (net_iptables_run("nat", list, &output, NULL) != 0)
		return;

	for (char *line = strtok_r(output, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		_cleanup_strv_ char **args = delete_args(line, comment);

		if (args != NULL)
			(void)net_iptables_run("nat", args, NULL, NULL);
	}
}

void net_ports_unforward(const char *id)
{
	_cleanup_free_ char *comment = NULL;

	xasprintf(&comment, "berth:%s", id);
	unforward_chain(DNAT_CHAIN, comment);
	unforward_chain(POSTROUTING_CHAIN, comment);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "net/nat.h"

#include "net/iptables.h"

#define RULE_WORDS 10

/* Fill rule with the words of the network's MASQUERADE rule. */
static void masquerade_rule(const struct net_network *net, char subnet[19],
			    char *rule[static RULE_WORDS])
{
	char *words[RULE_WORDS] = {
		NULL, "POSTROUTING", "-s", subnet,	 "!",
		"-o", net->bridge,   "-j", "MASQUERADE", NULL,
	};

	net_cidr_format(&net->subnet, subnet);
	for (size_t i = 0; i < RULE_WORDS; i++)
		rule[i] = words[i];
}

int net_nat_ensure(const struct net_network *net, struct berth_error **err)
{
	char subnet[19], *rule[RULE_WORDS];

	if (net->internal)
		return 0;

	masquerade_rule(net, subnet, rule);
	if (net_iptables_ensure_rule("nat", "-A", rule, err) < 0)
		return berth_error_wrap(err, "NAT rule of network '%s'",
					net->name);
	return 0;
}

int net_nat_remove(const struct net_network *net, struct berth_error **err)
{
	char subnet[19], *rule[RULE_WORDS];

	if (net->internal)
		return 0;

	masquerade_rule(net, subnet, rule);
	if (net_iptables_delete_rule("nat", rule, err) < 0)
		return berth_error_wrap(err, "NAT rule of network '%s'",
					net->name);
	return 0;
}

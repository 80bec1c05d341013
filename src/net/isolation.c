/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "net/isolation.h"

#include <stdbool.h>
#include <string.h>

#include "net/iptables.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#define STAGE1 "BERTH-ISOLATION-1"
#define STAGE2 "BERTH-ISOLATION-2"

/* The placeholder for the network's bridge in the rules below. */
#define BRIDGE "@bridge"

/* From this bridge to any other, which stage 2 decides on. */
static const char *const leave_rule[] = {
	STAGE1, "-i", BRIDGE, "!", "-o", BRIDGE, "-j", STAGE2, NULL,
};

/* Into this bridge from another berth bridge. */
static const char *const enter_rule[] = {
	STAGE2, "-o", BRIDGE, "-j", "DROP", NULL,
};

/* An internal network, which nothing leaves and nothing enters. */
static const char *const internal_out_rule[] = {
	STAGE1, "-i", BRIDGE, "!", "-o", BRIDGE, "-j", "DROP", NULL,
};
static const char *const internal_in_rule[] = {
	STAGE1, "-o", BRIDGE, "!", "-i", BRIDGE, "-j", "DROP", NULL,
};

/*
 * The rule's words for iptables: a slot for the action, then the rule.
 * The words are borrowed, so only the array is freed.
 */
static char **rule_words(const char *const *rule, const char *bridge)
{
	size_t n = 0;
	char **words;

	while (rule[n] != NULL)
		n++;
	words = xcalloc(n + 2, sizeof(*words));
	for (size_t i = 0; i < n; i++)
		words[i + 1] = (char *)(strcmp(rule[i], BRIDGE) == 0 ? bridge :
								       rule[i]);
	return words;
}

static int add_rule(const char *const *rule, const struct net_network *net,
		    struct berth_error **err)
{
	_cleanup_free_ char **words = rule_words(rule, net->bridge);

	return net_iptables_ensure_rule("filter", "-A", words, err);
}

static int delete_rule(const char *const *rule, const struct net_network *net,
		       struct berth_error **err)
{
	_cleanup_free_ char **words = rule_words(rule, net->bridge);

	return net_iptables_delete_rule("filter", words, err);
}

/* Create the chains, the jump from FORWARD and the DNAT exception. */
static int ensure_chains(struct berth_error **err)
{
	char *jump[] = {NULL, "FORWARD", "-j", STAGE1, NULL};
	char *dnat[] = {
		NULL,	STAGE2, "-m",	  "conntrack", "--ctstate",
		"DNAT", "-j",	"RETURN", NULL,
	};

	if (net_iptables_ensure_chain("filter", STAGE1, err) < 0 ||
	    net_iptables_ensure_chain("filter", STAGE2, err) < 0 ||
	    net_iptables_ensure_rule("filter", "-I", dnat, err) < 0 ||
	    net_iptables_ensure_rule("filter", "-I", jump, err) < 0)
		return -1;
	return 0;
}

static int ensure_rules(const struct net_network *net, struct berth_error **err)
{
	if (ensure_chains(err) < 0)
		return -1;

	/* Appended before the stage 2 jump, so that they come first. */
	if (net->internal && (add_rule(internal_out_rule, net, err) < 0 ||
			      add_rule(internal_in_rule, net, err) < 0))
		return -1;
	if (add_rule(leave_rule, net, err) < 0 ||
	    add_rule(enter_rule, net, err) < 0)
		return -1;
	return 0;
}

int net_isolation_ensure(const struct net_network *net,
			 struct berth_error **err)
{
	if (ensure_rules(net, err) < 0)
		return berth_error_wrap(err, "isolation rules of network '%s'",
					net->name);
	return 0;
}

int net_isolation_remove(const struct net_network *net,
			 struct berth_error **err)
{
	if (delete_rule(leave_rule, net, err) < 0 ||
	    delete_rule(enter_rule, net, err) < 0 ||
	    delete_rule(internal_out_rule, net, err) < 0 ||
	    delete_rule(internal_in_rule, net, err) < 0)
		return berth_error_wrap(err, "isolation rules of network '%s'",
					net->name);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_NET_IPTABLES_H
#define BERTH_NET_IPTABLES_H

/*
 * berth's firewall rules go through the iptables program, the interface
 * that every Debian host has whether its backend is legacy or nf_tables,
 * so that the host's own firewall tools list them next to their own.
 * Every call waits for the xtables lock (-w).
 */

#include "util/error.h"

/*
 * Run "iptables -w -t TABLE ARGS..." and return its exit status, with
 * its standard output and error in *output when output is not NULL. A
 * missing iptables program is an error.
 */
int net_iptables_run(const char *table, char *const *args, char **output,
		     struct berth_error **err);

/* Run iptables and turn a non-zero exit into an error with its output. */
int net_iptables_must(const char *table, char *const *args,
		      struct berth_error **err);

/* Create the chain unless it exists. */
int net_iptables_ensure_chain(const char *table, const char *chain,
			      struct berth_error **err);

/*
 * Add the rule "ADD CHAIN MATCH..." (ADD is "-A" or "-I") unless "-C"
 * finds it. rule[0] is a slot that this function fills in.
 */
int net_iptables_ensure_rule(const char *table, const char *add, char **rule,
			     struct berth_error **err);

/*
 * Delete the rule "CHAIN MATCH..." if "-C" finds it. rule[0] is a slot
 * that this function fills in.
 */
int net_iptables_delete_rule(const char *table, char **rule,
			     struct berth_error **err);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cli/commands.h"

int cmd_tag(struct cli_context *ctx, int argc, char **argv)
{
	return cli_usage_error("tag", "not built yet");
}

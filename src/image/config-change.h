/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_IMAGE_CONFIG_CHANGE_H
#define BERTH_IMAGE_CONFIG_CHANGE_H

/*
 * Edit an image config's "config" object with one Dockerfile-style
 * instruction, as "berth commit --change" takes them:
 *
 *	CMD ["sh", "-c", "x"]   or   CMD sh -c x   (shell form: /bin/sh -c)
 *	ENTRYPOINT ...          the same two forms
 *	ENV KEY=VALUE ...       or   ENV KEY VALUE
 *	LABEL KEY=VALUE ...
 *	EXPOSE 80 443/tcp 53/udp
 *	VOLUME /data ...        or   VOLUME ["/data"]
 *	WORKDIR /dir            a relative dir goes below the previous one
 *	USER name[:group]
 *	STOPSIGNAL SIGTERM
 *
 * Values may be quoted with '"' or '\'' and use '\' escapes, as in a
 * Dockerfile. The instruction name is case-insensitive. On error the
 * config is left unchanged.
 */

#include <jansson.h>

#include "util/error.h"

int image_config_change(json_t *config, const char *change,
			struct berth_error **err);

#endif

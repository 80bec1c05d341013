/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_REGISTRY_AUTH_FILE_H
#define BERTH_REGISTRY_AUTH_FILE_H

/*
 * The credentials file that podman, skopeo and docker share:
 *
 *	{"auths": {"HOST[:PORT]": {"auth": "base64(USER:PASSWORD)"}}}
 *
 * Keys written by docker ("https://index.docker.io/v1/", a URL with a
 * scheme or a path) match their host. Other members of the file and of
 * each entry are kept when berth rewrites it. The file is written with
 * mode 0600 through a temp file and rename, so a reader never sees half
 * of it. Secrets never appear in error messages.
 */

#include <stdbool.h>

#include "util/error.h"

#define AUTH_FILE_ENV "REGISTRY_AUTH_FILE"

/*
 * $REGISTRY_AUTH_FILE, else podman's default for the calling user:
 * /run/containers/UID/auth.json ($XDG_RUNTIME_DIR/containers/auth.json
 * when that is set and the user is not root).
 */
char *auth_file_default_path(void);

/*
 * Look up host. A missing file or entry is not an error: *ret_user and
 * *ret_password are then NULL.
 */
int auth_file_get(const char *path, const char *host, char **ret_user,
		  char **ret_password, struct berth_error **err);

/* Store user and password for host, creating the file and its directory. */
int auth_file_set(const char *path, const char *host, const char *user,
		  const char *password, struct berth_error **err);

/* Remove host's entries; *ret_found tells whether there was one. */
int auth_file_remove(const char *path, const char *host, bool *ret_found,
		     struct berth_error **err);

/* Remove every entry of "auths". */
int auth_file_remove_all(const char *path, struct berth_error **err);

#endif

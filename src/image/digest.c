/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "image/digest.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct digest_ctx {
	EVP_MD_CTX *md;
};

static void digest_reset(struct digest_ctx *ctx)
{
	if (EVP_DigestInit_ex(ctx->md, EVP_sha256(), NULL) != 1)
		abort();
}

struct digest_ctx *digest_new(void)
{
	struct digest_ctx *ctx = malloc(sizeof(*ctx));

	if (ctx == NULL)
		abort();

	ctx->md = EVP_MD_CTX_new();
	if (ctx->md == NULL)
		abort();

	digest_reset(ctx);
	return ctx;
}

void digest_update(struct digest_ctx *ctx, const void *buf, size_t len)
{
	if (EVP_DigestUpdate(ctx->md, buf, len) != 1)
		abort();
}

void digest_final(struct digest_ctx *ctx, char out[DIGEST_STRING_SIZE])
{
	static const char hexdigits[] = "0123456789abcdef";
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	char *p;

	if (EVP_DigestFinal_ex(ctx->md, raw, &len) != 1 || len != 32)
		abort();

	memcpy(out, DIGEST_PREFIX, sizeof(DIGEST_PREFIX) - 1);
	p = out + sizeof(DIGEST_PREFIX) - 1;
	for (unsigned int i = 0; i < len; i++) {
		*p++ = hexdigits[raw[i] >> 4];
		*p++ = hexdigits[raw[i] & 0xf];
	}
	*p = '\0';

	digest_reset(ctx);
}

void digest_free(struct digest_ctx *ctx)
{
	if (ctx == NULL)
		return;
	EVP_MD_CTX_free(ctx->md);
	free(ctx);
}

void digest_buffer(const void *buf, size_t len, char out[DIGEST_STRING_SIZE])
{
	struct digest_ctx *ctx = digest_new();

	digest_update(ctx, buf, len);
	digest_final(ctx, out);
	digest_free(ctx);
}

bool digest_hex_valid(const char *hex)
{
	size_t i;

	for (i = 0; hex[i] != '\0'; i++) {
		char c = hex[i];

		if (i >= DIGEST_HEX_LEN)
			return false;
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return i == DIGEST_HEX_LEN;
}

int digest_parse(const char *digest, const char **ret_hex,
		 struct berth_error **err)
{
	const char *colon = strchr(digest, ':');

	if (colon == NULL)
		return berth_error_set(err, 0,
				       "invalid digest '%s': expected "
				       "'sha256:' and 64 hex digits",
				       digest);

	if ((size_t)(colon - digest) != sizeof(DIGEST_PREFIX) - 2 ||
	    strncmp(digest, DIGEST_PREFIX, sizeof(DIGEST_PREFIX) - 1) != 0)
		return berth_error_set(err, 0,
				       "unsupported digest algorithm '%.*s' in "
				       "'%s': only sha256 is supported",
				       (int)(colon - digest), digest, digest);

	if (!digest_hex_valid(colon + 1))
		return berth_error_set(err, 0,
				       "invalid digest '%s': expected 64 "
				       "lowercase hex digits after 'sha256:'",
				       digest);

	if (ret_hex != NULL)
		*ret_hex = colon + 1;
	return 0;
}

void digest_chain_id(const char *parent, const char *diff_id,
		     char out[DIGEST_STRING_SIZE])
{
	struct digest_ctx *ctx;

	if (parent == NULL) {
		snprintf(out, DIGEST_STRING_SIZE, "%s", diff_id);
		return;
	}

	ctx = digest_new();
	digest_update(ctx, parent, strlen(parent));
	digest_update(ctx, " ", 1);
	digest_update(ctx, diff_id, strlen(diff_id));
	digest_final(ctx, out);
	digest_free(ctx);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>
#include <sys/utsname.h>

#include "registry/manifest-remote.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

struct arch_alias {
	const char *name;
	const char *arch;
	const char *variant; /* NULL: keep the one given */
};

/* The names uname(2) and distributions use, mapped to OCI's (GOARCH). */
static const struct arch_alias aliases[] = {
	{"x86_64", "amd64", NULL},  {"x86-64", "amd64", NULL},
	{"aarch64", "arm64", NULL}, {"armhf", "arm", "v7"},
	{"armel", "arm", "v6"},	    {"armv7l", "arm", "v7"},
	{"armv6l", "arm", "v6"},    {"i386", "386", NULL},
	{"i686", "386", NULL},	    {"ppc64el", "ppc64le", NULL},
};

void platform_clear(struct platform *p)
{
	free(p->os);
	free(p->architecture);
	free(p->variant);
	p->os = p->architecture = p->variant = NULL;
}

/* Apply the aliases; arm64 "v8" is its only variant, so it is dropped. */
static void normalize(struct platform *p)
{
	for (size_t i = 0; p->architecture && i < ARRAY_SIZE(aliases); i++) {
		if (strcmp(p->architecture, aliases[i].name) != 0)
			continue;
		free(p->architecture);
		p->architecture = xstrdup(aliases[i].arch);
		if (aliases[i].variant != NULL && p->variant == NULL)
			p->variant = xstrdup(aliases[i].variant);
		break;
	}
	if (p->architecture != NULL && strcmp(p->architecture, "arm64") == 0 &&
	    p->variant != NULL && strcmp(p->variant, "v8") == 0) {
		free(p->variant);
		p->variant = NULL;
	}
}

static bool valid_part(const char *s, size_t len)
{
	if (len == 0 || len > 64)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-'))
			return false;
	return true;
}

int platform_parse(const char *s, struct platform *ret,
		   struct berth_error **err)
{
	const char *parts[3] = {s, NULL, NULL};
	size_t lens[3] = {0};
	size_t n = 1;
	struct platform p = {0};

	for (const char *c = s; *c != '\0'; c++) {
		if (*c != '/')
			continue;
		if (n == 3)
			goto invalid;
		parts[n++] = c + 1;
	}
	for (size_t i = 0; i < n; i++) {
		lens[i] = i + 1 < n ? (size_t)(parts[i + 1] - parts[i] - 1) :
				      strlen(parts[i]);
		if (!valid_part(parts[i], lens[i]))
			goto invalid;
	}
	if (n < 2)
		goto invalid;

	p.os = xstrndup(parts[0], lens[0]);
	p.architecture = xstrndup(parts[1], lens[1]);
	if (n == 3)
		p.variant = xstrndup(parts[2], lens[2]);
	normalize(&p);
	*ret = p;
	return 0;

invalid:
	return berth_error_set(err, 0,
			       "invalid platform '%s': expected "
			       "OS/ARCH[/VARIANT] such as linux/amd64",
			       s);
}

void platform_host(struct platform *ret)
{
	struct utsname u;
	struct platform p = {0};

	p.os = xstrdup("linux");
	p.architecture = xstrdup(uname(&u) == 0 ? u.machine : "amd64");
	normalize(&p);
	*ret = p;
}

char *platform_string(const struct platform *p)
{
	char *s;

	xasprintf(&s, "%s/%s%s%s", p->os != NULL ? p->os : "unknown",
		  p->architecture != NULL ? p->architecture : "unknown",
		  p->variant != NULL ? "/" : "",
		  p->variant != NULL ? p->variant : "");
	return s;
}

static bool str_eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/*
 * Score an entry: 2 when os, architecture and variant are equal, 1 when
 * the entry or p has no variant, 0 when they do not match.
 */
static int match(const struct platform *entry, const struct platform *p)
{
	struct platform e = {
		.os = entry->os != NULL ? xstrdup(entry->os) : NULL,
		.architecture = entry->architecture != NULL ?
					xstrdup(entry->architecture) :
					NULL,
		.variant =
			entry->variant != NULL ? xstrdup(entry->variant) : NULL,
	};
	int score = 0;

	normalize(&e);
	if (str_eq(e.os, p->os) && str_eq(e.architecture, p->architecture)) {
		if (e.variant == NULL && p->variant == NULL)
			score = 2;
		else if (str_eq(e.variant, p->variant))
			score = 2;
		else if (e.variant == NULL || p->variant == NULL)
			score = 1;
	}
	platform_clear(&e);
	return score;
}

static bool is_image_entry(const struct remote_descriptor *d)
{
	return strcmp(d->media_type, MEDIA_TYPE_OCI_MANIFEST) == 0 ||
	       strcmp(d->media_type, MEDIA_TYPE_DOCKER_MANIFEST_V2) == 0;
}

/* "linux/amd64, linux/arm64/v8" for the error message. */
static char *list_platforms(const struct remote_manifest *index)
{
	char *out = xstrdup("");

	for (size_t i = 0; i < index->n_manifests; i++) {
		const struct remote_descriptor *d = &index->manifests[i];
		_cleanup_free_ char *s = NULL;
		char *next;

		if (!is_image_entry(d) || d->platform.os == NULL)
			continue;
		s = platform_string(&d->platform);
		xasprintf(&next, "%s%s%s", out, out[0] ? ", " : "", s);
		free(out);
		out = next;
	}
	return out;
}

int remote_manifest_select(const struct remote_manifest *index,
			   const struct platform *p,
			   const struct remote_descriptor **ret,
			   struct berth_error **err)
{
	const struct remote_descriptor *best = NULL;
	int best_score = 0;
	_cleanup_free_ char *want = NULL;
	_cleanup_free_ char *offered = NULL;

	for (size_t i = 0; i < index->n_manifests; i++) {
		const struct remote_descriptor *d = &index->manifests[i];
		int score;

		if (!is_image_entry(d))
			continue;
		score = match(&d->platform, p);
		if (score > best_score) {
			best = d;
			best_score = score;
		}
	}

	if (best != NULL) {
		*ret = best;
		return 0;
	}

	want = platform_string(p);
	offered = list_platforms(index);
	return berth_error_set(err, 0,
			       "no image for platform '%s' in the index; it "
			       "offers: %s; choose one with --platform",
			       want, offered[0] != '\0' ? offered : "none");
}

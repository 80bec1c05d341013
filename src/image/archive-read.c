/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image/archive-internal.h"
#include "image/blob.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define READ_BUF_SIZE (1 << 20)

/* Append the components of path to parts, applying "." and "..". */
static int push_components(char ***parts, const char *path, bool allow_dotdot,
			   struct berth_error **err)
{
	_cleanup_free_ char *copy = xstrdup(path);
	char *save = NULL;

	for (char *c = strtok_r(copy, "/", &save); c != NULL;
	     c = strtok_r(NULL, "/", &save)) {
		size_t n = strv_length(*parts);

		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") != 0) {
			strv_push(parts, c);
			continue;
		}
		if (!allow_dotdot)
			return berth_error_set(err, 0, "'..' in the path");
		if (n == 0)
			return berth_error_set(err, 0,
					       "the path leaves the archive");
		free((*parts)[n - 1]);
		(*parts)[n - 1] = NULL;
	}
	return 0;
}

static char *join_components(char **parts)
{
	char *out = xstrdup("");

	for (size_t i = 0; parts != NULL && parts[i] != NULL; i++) {
		char *next = NULL;

		xasprintf(&next, "%s%s%s", out, i > 0 ? "/" : "", parts[i]);
		free(out);
		out = next;
	}
	return out;
}

int archive_path_clean(const char *path, char **ret, struct berth_error **err)
{
	_cleanup_strv_ char **parts = NULL;
	size_t len = strlen(path);

	if (path[0] == '/')
		return berth_error_set(err, 0, "entry '%s': absolute path",
				       path);

	/* "a//b" is how tools disagree on a name; take no part in it. */
	for (size_t i = 0; i + 1 < len; i++)
		if (path[i] == '/' && path[i + 1] == '/')
			return berth_error_set(err, 0,
					       "entry '%s': empty path "
					       "component",
					       path);

	if (push_components(&parts, path, false, err) < 0)
		return berth_error_wrap(err, "entry '%s'", path);

	*ret = join_components(parts);
	return 0;
}

int archive_link_resolve(const char *path, const char *target, char **ret,
			 struct berth_error **err)
{
	_cleanup_strv_ char **parts = NULL;
	_cleanup_free_ char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');

	if (target[0] == '/')
		return berth_error_set(err, 0,
				       "entry '%s': symlink to the absolute "
				       "path '%s'",
				       path, target);

	if (slash != NULL)
		*slash = '\0';
	else
		dir[0] = '\0';

	if (push_components(&parts, dir, false, err) < 0 ||
	    push_components(&parts, target, true, err) < 0)
		return berth_error_wrap(err, "entry '%s': symlink to '%s'",
					path, target);

	*ret = join_components(parts);
	return 0;
}

static struct archive_member *
find_member(const struct archive_contents *contents, const char *path)
{
	json_t *i = json_object_get(contents->by_path, path);

	if (i == NULL)
		return NULL;
	return &contents->members[json_integer_value(i)];
}

static struct archive_member *add_member(struct archive_contents *contents,
					 char *path)
{
	struct archive_member *m;

	if (contents->n_members == contents->capacity) {
		contents->capacity = contents->capacity * 2 + 16;
		contents->members =
			xreallocarray(contents->members, contents->capacity,
				      sizeof(*contents->members));
	}
	if (contents->by_path == NULL)
		contents->by_path = json_object();

	/* Tar paths need not be UTF-8, so the key check is skipped. */
	if (json_object_set_new_nocheck(
		    contents->by_path, path,
		    json_integer((json_int_t)contents->n_members)) < 0)
		abort();

	m = &contents->members[contents->n_members++];
	memset(m, 0, sizeof(*m));
	m->path = path;
	return m;
}

bool archive_contents_has(const struct archive_contents *contents,
			  const char *path)
{
	return find_member(contents, path) != NULL;
}

int archive_contents_find(const struct archive_contents *contents,
			  const char *path, const char *what,
			  const struct archive_member **ret,
			  struct berth_error **err)
{
	const struct archive_member *m = NULL;
	_cleanup_free_ char *clean = NULL;
	const char *cur;

	if (archive_path_clean(path, &clean, err) < 0)
		return berth_error_wrap(err, "%s", what);

	cur = clean;
	for (int depth = 0; depth <= ARCHIVE_MAX_LINK_DEPTH; depth++) {
		m = find_member(contents, cur);
		if (m == NULL)
			return berth_error_set(err, 0,
					       "%s names '%s', which is "
					       "missing from the archive",
					       what, cur);
		if (m->kind != ARCHIVE_MEMBER_LINK)
			break;
		cur = m->target;
	}

	if (m->kind == ARCHIVE_MEMBER_LINK)
		return berth_error_set(err, 0,
				       "%s names '%s': more than %d symlinks "
				       "to follow",
				       what, path, ARCHIVE_MAX_LINK_DEPTH);
	if (m->kind == ARCHIVE_MEMBER_SKIPPED)
		return berth_error_set(err, 0,
				       "%s names '%s', a legacy metadata file "
				       "that is not an image part",
				       what, path);
	*ret = m;
	return 0;
}

void archive_contents_clear(struct archive_contents *contents)
{
	for (size_t i = 0; i < contents->n_members; i++) {
		free(contents->members[i].path);
		free(contents->members[i].data);
		free(contents->members[i].target);
	}
	free(contents->members);
	json_decref(contents->by_path);
	json_decref(contents->checked_layers);
	memset(contents, 0, sizeof(*contents));
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t len = strlen(s);
	size_t slen = strlen(suffix);

	return len >= slen && strcmp(s + len - slen, suffix) == 0;
}

/* Decide where a regular file goes from its cleaned path. */
static enum archive_member_kind classify(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base != NULL ? base + 1 : path;
	if (strncmp(path, ARCHIVE_BLOB_DIR, strlen(ARCHIVE_BLOB_DIR)) == 0)
		return ARCHIVE_MEMBER_BLOB;
	if (has_suffix(base, ".json") || strcmp(path, "repositories") == 0 ||
	    strcmp(path, "oci-layout") == 0)
		return ARCHIVE_MEMBER_JSON;
	if (base != path &&
	    (strcmp(base, "json") == 0 || strcmp(base, "VERSION") == 0))
		return ARCHIVE_MEMBER_SKIPPED;
	return ARCHIVE_MEMBER_BLOB;
}

/* The digest a blobs/ path claims; other algorithms are rejected. */
static int claimed_digest(const char *path, char out[DIGEST_STRING_SIZE],
			  struct berth_error **err)
{
	const char *hex = path + strlen(ARCHIVE_BLOB_DIR);

	out[0] = '\0';
	if (strncmp(path, ARCHIVE_BLOB_DIR, strlen(ARCHIVE_BLOB_DIR)) != 0) {
		if (strncmp(path, "blobs/", 6) == 0)
			return berth_error_set(err, 0,
					       "entry '%s': unsupported digest "
					       "algorithm, berth reads only "
					       "sha256 blobs",
					       path);
		return 0;
	}

	if (!digest_hex_valid(hex))
		return berth_error_set(err, 0,
				       "entry '%s': a blob name must be 64 "
				       "lowercase hex digits",
				       path);
	snprintf(out, DIGEST_STRING_SIZE, "%s%s", DIGEST_PREFIX, hex);
	return 0;
}

static int read_blob(struct archive *ar, const char *root,
		     struct archive_member *m, struct berth_error **err)
{
	_cleanup_blob_writer_ struct blob_writer *w = NULL;
	_cleanup_free_ char *buf = xmalloc(READ_BUF_SIZE);
	char expected[DIGEST_STRING_SIZE];
	la_ssize_t n;

	if (claimed_digest(m->path, expected, err) < 0 ||
	    blob_writer_open(root, &w, err) < 0)
		return -1;

	while ((n = archive_read_data(ar, buf, READ_BUF_SIZE)) > 0)
		if (blob_writer_write(w, buf, (size_t)n, err) < 0)
			return -1;
	if (n < 0)
		return berth_error_set(err, 0, "entry '%s': %s", m->path,
				       archive_error_string(ar));

	if (blob_writer_commit(w, expected[0] != '\0' ? expected : NULL,
			       m->size, m->digest, err) < 0)
		return berth_error_wrap(err, "entry '%s'", m->path);
	return 0;
}

static int read_json(struct archive *ar, struct archive_contents *contents,
		     struct archive_member *m, struct berth_error **err)
{
	size_t len = 0;
	la_ssize_t n;

	if (m->size > ARCHIVE_JSON_MAX_SIZE)
		return berth_error_set(err, EFBIG,
				       "entry '%s' has %lld bytes, more than "
				       "the limit of %d for a JSON file",
				       m->path, (long long)m->size,
				       ARCHIVE_JSON_MAX_SIZE);

	contents->json_bytes += m->size;
	if (contents->json_bytes > ARCHIVE_JSON_TOTAL_MAX)
		return berth_error_set(err, EFBIG,
				       "entry '%s': the JSON files of the "
				       "archive have more than %d bytes",
				       m->path, ARCHIVE_JSON_TOTAL_MAX);

	m->data = xmalloc((size_t)m->size + 1);
	while (len < (size_t)m->size &&
	       (n = archive_read_data(ar, m->data + len,
				      (size_t)m->size - len)) > 0)
		len += (size_t)n;
	if (len < (size_t)m->size)
		return berth_error_set(err, 0, "entry '%s': %s", m->path,
				       archive_error_string(ar) != NULL ?
					       archive_error_string(ar) :
					       "truncated");
	m->data[len] = '\0';
	return 0;
}

static int read_link(struct archive_entry *entry, struct archive_member *m,
		     struct berth_error **err)
{
	const char *target = archive_entry_symlink(entry);

	if (target == NULL || target[0] == '\0')
		return berth_error_set(err, 0, "entry '%s': empty symlink",
				       m->path);
	return archive_link_resolve(m->path, target, &m->target, err);
}

static int read_member(struct archive *ar, struct archive_entry *entry,
		       const char *root, struct archive_contents *contents,
		       struct archive_member *m, struct berth_error **err)
{
	mode_t type = archive_entry_filetype(entry);

	if (archive_entry_hardlink(entry) != NULL)
		return berth_error_set(err, 0,
				       "entry '%s': hard links are not "
				       "allowed in an image archive",
				       m->path);

	if (type == AE_IFLNK) {
		m->kind = ARCHIVE_MEMBER_LINK;
		return read_link(entry, m, err);
	}
	if (type != AE_IFREG)
		return berth_error_set(err, 0,
				       "entry '%s': only regular files, "
				       "directories and symlinks are allowed "
				       "in an image archive",
				       m->path);

	m->size = archive_entry_size(entry);
	if (m->size < 0)
		return berth_error_set(err, 0, "entry '%s': invalid size",
				       m->path);
	m->kind = classify(m->path);
	if (m->kind == ARCHIVE_MEMBER_BLOB)
		return read_blob(ar, root, m, err);
	if (m->kind == ARCHIVE_MEMBER_JSON)
		return read_json(ar, contents, m, err);
	return 0;
}

/* Add the entry to contents; directories are only checked. */
static int add_entry(struct archive *ar, struct archive_entry *entry,
		     const char *root, struct archive_contents *contents,
		     struct berth_error **err)
{
	const char *raw = archive_entry_pathname(entry);
	_cleanup_free_ char *path = NULL;
	struct archive_member *m;

	if (raw == NULL)
		return berth_error_set(err, 0, "entry without a path");
	if (archive_path_clean(raw, &path, err) < 0)
		return -1;
	if (archive_entry_filetype(entry) == AE_IFDIR &&
	    archive_entry_hardlink(entry) == NULL)
		return 0;
	if (path[0] == '\0')
		return berth_error_set(
			err, 0, "entry '%s': a file without a name", raw);

	if (find_member(contents, path) != NULL)
		return berth_error_set(err, 0,
				       "entry '%s' appears twice in the "
				       "archive",
				       path);
	if (contents->n_members >= ARCHIVE_MAX_ENTRIES)
		return berth_error_set(err, 0,
				       "the archive has more than %d files",
				       ARCHIVE_MAX_ENTRIES);

	m = add_member(contents, TAKE_PTR(path));
	return read_member(ar, entry, root, contents, m, err);
}

static struct archive *archive_reader_new(void)
{
	struct archive *ar = archive_read_new();

	if (ar == NULL)
		abort();
	archive_read_support_format_tar(ar);
	archive_read_support_filter_gzip(ar);
	archive_read_support_filter_zstd(ar);
	return ar;
}

int archive_contents_read(const char *root, int fd,
			  struct archive_contents *contents,
			  struct berth_error **err)
{
	struct archive *ar = archive_reader_new();
	struct archive_entry *entry;
	int r = 0;

	contents->checked_layers = json_object();
	if (archive_read_open_fd(ar, fd, READ_BUF_SIZE) != ARCHIVE_OK) {
		r = berth_error_set(err, 0,
				    "not a tar archive (plain, gzip or zstd): "
				    "%s",
				    archive_error_string(ar));
		goto out;
	}

	for (;;) {
		int s = archive_read_next_header(ar, &entry);

		if (s == ARCHIVE_EOF)
			break;
		if (s < ARCHIVE_WARN) {
			r = berth_error_set(err, 0, "read archive: %s",
					    archive_error_string(ar));
			break;
		}
		if (add_entry(ar, entry, root, contents, err) < 0) {
			r = -1;
			break;
		}
	}

out:
	archive_read_free(ar);
	return r;
}

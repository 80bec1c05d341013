/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "util/error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

int berth_error_setv(struct berth_error **err, int errnum, const char *fmt,
		     va_list ap)
{
	struct berth_error *e;

	if (err == NULL)
		return -1;

	/* A second error while one is pending keeps the first, the cause. */
	if (*err != NULL)
		return -1;

	e = xzalloc(sizeof(*e));
	e->errnum = errnum;
	if (xvasprintf(&e->msg, fmt, ap) < 0)
		abort();

	*err = e;
	return -1;
}

int berth_error_set(struct berth_error **err, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	berth_error_setv(err, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int berth_error_set_status(struct berth_error **err, int status, int errnum,
			   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	berth_error_setv(err, errnum, fmt, ap);
	va_end(ap);

	if (err != NULL && *err != NULL)
		(*err)->status = status;
	return -1;
}

int berth_error_wrap(struct berth_error **err, const char *fmt, ...)
{
	char *prefix = NULL;
	char *joined = NULL;
	va_list ap;

	if (err == NULL || *err == NULL)
		return -1;

	va_start(ap, fmt);
	if (xvasprintf(&prefix, fmt, ap) < 0)
		abort();
	va_end(ap);

	xasprintf(&joined, "%s: %s", prefix, (*err)->msg);
	free(prefix);
	free((*err)->msg);
	(*err)->msg = joined;
	return -1;
}

char *berth_error_text(const struct berth_error *err)
{
	char *text = NULL;

	if (err->errnum != 0)
		xasprintf(&text, "%s: %s", err->msg, strerror(err->errnum));
	else
		text = xstrdup(err->msg);
	return text;
}

int berth_error_report(struct berth_error **err, const char *prog, FILE *stream)
{
	char *text;
	int status;

	if (err == NULL || *err == NULL)
		return 0;

	text = berth_error_text(*err);
	fprintf(stream, "%s: %s\n", prog, text);
	free(text);

	status = (*err)->status != 0 ? (*err)->status : BERTH_EXIT_ENGINE;
	berth_error_free(err);
	return status;
}

void berth_error_free(struct berth_error **err)
{
	if (err == NULL || *err == NULL)
		return;

	free((*err)->msg);
	free(*err);
	*err = NULL;
}

void berth_error_move(struct berth_error **dst, struct berth_error **src)
{
	if (dst != NULL && *dst == NULL)
		*dst = *src;
	else
		berth_error_free(src);
	*src = NULL;
}

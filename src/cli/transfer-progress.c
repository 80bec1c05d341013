/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cli/transfer-progress.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/human.h"
#include "util/xalloc.h"

struct blob_line {
	char digest[16]; /* the first 12 hex digits */
	const char *kind;
	int64_t done;
	int64_t total;
	double started; /* when bytes first moved; 0 before */
	double finished;
	enum registry_progress_state state;
};

struct transfer_progress {
	FILE *stream;
	bool quiet;
	bool tty;
	const char *verb;
	struct blob_line *lines;
	size_t count;
	size_t drawn; /* lines drawn; the cursor sits below the last */
};

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct transfer_progress *transfer_progress_new(FILE *stream, bool quiet,
						const char *verb)
{
	struct transfer_progress *p = xzalloc(sizeof(*p));

	p->stream = stream;
	p->quiet = quiet;
	p->tty = isatty(fileno(stream)) == 1;
	p->verb = verb;
	return p;
}

void transfer_progress_free(struct transfer_progress *p)
{
	if (p == NULL)
		return;
	free(p->lines);
	free(p);
}

static const char *state_word(enum registry_progress_state state)
{
	switch (state) {
	case REGISTRY_PROGRESS_WAITING:
		return "waiting";
	case REGISTRY_PROGRESS_RUNNING:
		return "copying";
	case REGISTRY_PROGRESS_EXISTS:
		return "already exists";
	case REGISTRY_PROGRESS_DONE:
		return "done";
	case REGISTRY_PROGRESS_FAILED:
		return "failed";
	}
	return "";
}

static void format_rate(const struct blob_line *l, char *buf, size_t size)
{
	double end = l->finished > 0 ? l->finished : now_seconds();
	char n[16];

	buf[0] = '\0';
	if (l->started <= 0 || end - l->started < 0.05)
		return;
	human_size((int64_t)((double)l->done / (end - l->started)), n,
		   sizeof(n));
	snprintf(buf, size, " %s/s", n);
}

static void format_line(const struct transfer_progress *p,
			const struct blob_line *l, char *buf, size_t size)
{
	char done[16], total[16], rate[24];

	if (l->state == REGISTRY_PROGRESS_EXISTS) {
		snprintf(buf, size, "%s %s %s: already exists", p->verb,
			 l->kind, l->digest);
		return;
	}
	human_size(l->done, done, sizeof(done));
	human_size(l->total, total, sizeof(total));
	format_rate(l, rate, sizeof(rate));
	snprintf(buf, size, "%s %s %s: %s / %s%s %s", p->verb, l->kind,
		 l->digest, done, total, rate, state_word(l->state));
}

/*
 * Move up over the drawn lines and draw them again. Blobs are announced
 * in order, so the lines known so far are a prefix.
 */
static void redraw(struct transfer_progress *p)
{
	char buf[256];
	size_t i;

	if (p->drawn > 0)
		fprintf(p->stream, "\033[%zuA", p->drawn);
	for (i = 0; i < p->count && p->lines[i].kind != NULL; i++) {
		format_line(p, &p->lines[i], buf, sizeof(buf));
		fprintf(p->stream, "\r\033[K%s\n", buf);
	}
	p->drawn = i;
	fflush(p->stream);
}

static void print_finished(struct transfer_progress *p,
			   const struct blob_line *l)
{
	char buf[256];

	if (l->state != REGISTRY_PROGRESS_DONE &&
	    l->state != REGISTRY_PROGRESS_EXISTS)
		return;
	format_line(p, l, buf, sizeof(buf));
	fprintf(p->stream, "%s\n", buf);
	fflush(p->stream);
}

static void update_line(struct blob_line *l,
			const struct registry_progress_event *ev)
{
	const char *hex = strchr(ev->digest, ':');

	snprintf(l->digest, sizeof(l->digest), "%.12s",
		 hex != NULL ? hex + 1 : ev->digest);
	l->kind = ev->kind;
	l->done = ev->done;
	l->total = ev->total;
	l->state = ev->state;
	if (ev->state == REGISTRY_PROGRESS_RUNNING && l->started <= 0)
		l->started = now_seconds();
	if (ev->state == REGISTRY_PROGRESS_DONE)
		l->finished = now_seconds();
}

void transfer_progress_event(void *data,
			     const struct registry_progress_event *ev)
{
	struct transfer_progress *p = data;
	struct blob_line *l;
	bool was_finished;

	if (p->quiet || ev->index >= ev->count)
		return;
	if (p->lines == NULL || p->count != ev->count) {
		free(p->lines);
		p->lines = xcalloc(ev->count, sizeof(*p->lines));
		p->count = ev->count;
		p->drawn = 0;
	}

	l = &p->lines[ev->index];
	was_finished =
		l->kind != NULL && (l->state == REGISTRY_PROGRESS_DONE ||
				    l->state == REGISTRY_PROGRESS_EXISTS);
	update_line(l, ev);

	if (p->tty)
		redraw(p);
	else if (!was_finished)
		print_finished(p, l);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/ctr-log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define LOG_LINE_MAX 16384

static size_t format_timestamp(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(buf + n, size - n, ".%09ldZ", ts.tv_nsec);
	return n;
}

static void write_fully(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		/* A full disk loses log lines; the container keeps running. */
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static void write_entry(int fd, enum ctr_log_stream stream, bool partial,
			const char *data, size_t len)
{
	static char line[LOG_LINE_MAX];
	size_t n;

	n = format_timestamp(line, 64);
	n += (size_t)snprintf(line + n, 64, " %s %c ",
			      stream == CTR_LOG_STDOUT ? "stdout" : "stderr",
			      partial ? 'P' : 'F');
	memcpy(line + n, data, len);
	n += len;
	line[n++] = '\n';
	write_fully(fd, line, n);
}

void ctr_log_write(int fd, enum ctr_log_stream stream, const char *data,
		   size_t len)
{
	/* Room for the timestamp, stream, tag and the final '\n'. */
	const size_t max = LOG_LINE_MAX - 128;

	while (len > 0) {
		const char *nl = memchr(data, '\n', len);
		size_t n = nl != NULL ? (size_t)(nl - data) : len;
		bool partial = nl == NULL;

		if (n > max) {
			n = max;
			partial = true;
		}
		write_entry(fd, stream, partial, data, n);
		if (!partial) {
			n++;
		}
		data += n;
		len -= n;
	}
}

static int parse_time(const char *s, struct timespec *ret)
{
	struct tm tm = {0};
	const char *rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	long nsec = 0, scale = 100000000;

	if (rest == NULL)
		return -1;

	if (*rest == '.') {
		for (rest++; *rest >= '0' && *rest <= '9'; rest++) {
			nsec += (*rest - '0') * scale;
			scale /= 10;
		}
	}
	if (*rest != 'Z')
		return -1;

	ret->tv_sec = timegm(&tm);
	ret->tv_nsec = nsec;
	return 0;
}

int ctr_log_parse_line(const char *line, size_t len, struct ctr_log_entry *ret)
{
	const char *sp1 = memchr(line, ' ', len);
	size_t tlen;

	if (sp1 == NULL)
		return -1;
	tlen = (size_t)(sp1 - line);
	if (tlen >= sizeof(ret->timestamp))
		return -1;
	memcpy(ret->timestamp, line, tlen);
	ret->timestamp[tlen] = '\0';
	if (parse_time(ret->timestamp, &ret->time) < 0)
		return -1;

	/* " stdout F " is 10 bytes. */
	if (len - tlen < 10)
		return -1;
	if (memcmp(sp1, " stdout ", 8) == 0)
		ret->stream = CTR_LOG_STDOUT;
	else if (memcmp(sp1, " stderr ", 8) == 0)
		ret->stream = CTR_LOG_STDERR;
	else
		return -1;

	if ((sp1[8] != 'F' && sp1[8] != 'P') || sp1[9] != ' ')
		return -1;
	ret->partial = sp1[8] == 'P';
	ret->content = sp1 + 10;
	ret->len = len - tlen - 10;
	return 0;
}

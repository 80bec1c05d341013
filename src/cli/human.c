/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cli/human.h"

#include <stdio.h>
#include <string.h>

void human_size(int64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = {"B",  "kB", "MB", "GB",
					    "TB", "PB", "EB"};
	double value = (double)bytes;
	size_t i = 0;

	while (value >= 1000.0 && i + 1 < sizeof(units) / sizeof(units[0])) {
		value /= 1000.0;
		i++;
	}
	snprintf(buf, size, "%.3g%s", value, units[i]);
}

void human_duration(time_t then, time_t now, char *buf, size_t size)
{
	long long seconds = now > then ? (long long)(now - then) : 0;
	long long minutes = seconds / 60;
	long long hours = (seconds + 1800) / 3600;

	if (seconds < 1)
		snprintf(buf, size, "Less than a second");
	else if (seconds == 1)
		snprintf(buf, size, "1 second");
	else if (seconds < 60)
		snprintf(buf, size, "%lld seconds", seconds);
	else if (minutes == 1)
		snprintf(buf, size, "About a minute");
	else if (minutes < 60)
		snprintf(buf, size, "%lld minutes", minutes);
	else if (hours == 1)
		snprintf(buf, size, "About an hour");
	else if (hours < 48)
		snprintf(buf, size, "%lld hours", hours);
	else if (hours < 24 * 7 * 2)
		snprintf(buf, size, "%lld days", hours / 24);
	else if (hours < 24 * 30 * 2)
		snprintf(buf, size, "%lld weeks", hours / 24 / 7);
	else if (hours < 24 * 365 * 2)
		snprintf(buf, size, "%lld months", hours / 24 / 30);
	else
		snprintf(buf, size, "%lld years", hours / 24 / 365);
}

time_t human_parse_rfc3339(const char *s)
{
	struct tm tm;
	const char *rest;

	if (s == NULL)
		return -1;

	memset(&tm, 0, sizeof(tm));
	rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (rest == NULL)
		return -1;

	/* Fractional seconds and the zone: berth writes UTC ("Z"). */
	return timegm(&tm);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Instruction names and which of their words the builder expands. The
 * expansion rules follow the "Environment replacement" section of the
 * Dockerfile reference (docs.docker.com/reference/dockerfile).
 */
#include <string.h>
#include <strings.h>

#include "build/containerfile.h"
#include "build/expand.h"
#include "util/cleanup.h"

static const char *const names[BUILD_INSTRUCTION_COUNT] = {
	[BUILD_FROM] = "FROM",	     [BUILD_RUN] = "RUN",
	[BUILD_COPY] = "COPY",	     [BUILD_ADD] = "ADD",
	[BUILD_ENV] = "ENV",	     [BUILD_ARG] = "ARG",
	[BUILD_WORKDIR] = "WORKDIR", [BUILD_USER] = "USER",
	[BUILD_EXPOSE] = "EXPOSE",   [BUILD_LABEL] = "LABEL",
	[BUILD_VOLUME] = "VOLUME",   [BUILD_ENTRYPOINT] = "ENTRYPOINT",
	[BUILD_CMD] = "CMD",	     [BUILD_STOPSIGNAL] = "STOPSIGNAL",
	[BUILD_SHELL] = "SHELL",     [BUILD_HEALTHCHECK] = "HEALTHCHECK",
	[BUILD_ONBUILD] = "ONBUILD", [BUILD_MAINTAINER] = "MAINTAINER",
};

const char *build_instruction_name(enum build_instruction_kind kind)
{
	if ((unsigned int)kind >= BUILD_INSTRUCTION_COUNT)
		return "?";
	return names[kind];
}

int build_instruction_kind_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (strcasecmp(names[i], name) == 0)
			return (int)i;
	}
	return -1;
}

bool build_instruction_expands(enum build_instruction_kind kind)
{
	switch (kind) {
	case BUILD_FROM:
	case BUILD_COPY:
	case BUILD_ADD:
	case BUILD_ENV:
	case BUILD_ARG:
	case BUILD_WORKDIR:
	case BUILD_USER:
	case BUILD_EXPOSE:
	case BUILD_LABEL:
	case BUILD_VOLUME:
	case BUILD_STOPSIGNAL:
		return true;
	default:
		return false;
	}
}

bool build_flag_expands(enum build_instruction_kind kind, const char *name)
{
	switch (kind) {
	case BUILD_FROM:
		return strcmp(name, "platform") == 0;
	case BUILD_COPY:
	case BUILD_ADD:
		return strcmp(name, "from") == 0 ||
		       strcmp(name, "chown") == 0 ||
		       strcmp(name, "chmod") == 0 ||
		       strcmp(name, "checksum") == 0 ||
		       strcmp(name, "exclude") == 0;
	case BUILD_RUN:
		return strcmp(name, "mount") == 0 ||
		       strcmp(name, "network") == 0 ||
		       strcmp(name, "security") == 0;
	default:
		return false;
	}
}

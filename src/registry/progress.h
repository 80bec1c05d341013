/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_REGISTRY_PROGRESS_H
#define BERTH_REGISTRY_PROGRESS_H

/*
 * Progress of blob transfers, reported by pull and push to the command,
 * which renders it (library code never prints). Each blob of an image
 * gets an index, in the manifest's order (config last). Calls are
 * serialized by the caller of the callback, even when transfers run in
 * several threads, so the callback needs no locking of its own.
 */

#include <stddef.h>
#include <stdint.h>

enum registry_progress_state {
	REGISTRY_PROGRESS_WAITING, /* announced, not started */
	REGISTRY_PROGRESS_RUNNING, /* bytes moving: done/total updated */
	REGISTRY_PROGRESS_EXISTS,  /* already there, nothing to transfer */
	REGISTRY_PROGRESS_DONE,	   /* transferred and verified */
	REGISTRY_PROGRESS_FAILED,
};

struct registry_progress_event {
	size_t index;	    /* 0 .. count-1 */
	size_t count;	    /* blobs in this transfer */
	const char *digest; /* "sha256:<hex>" */
	const char *kind;   /* "layer" or "config" */
	int64_t done;	    /* bytes transferred so far */
	int64_t total;	    /* size from the manifest */
	enum registry_progress_state state;
};

typedef void (*registry_progress_fn)(void *data,
				     const struct registry_progress_event *ev);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "compose down": the project's containers, found by label, stopped in
 * the reverse of the start order and removed, then its networks and,
 * when asked, its named volumes.
 */
#include <errno.h>
#include <string.h>

#include "compose/orchestrate.h"
#include "engine/volume.h"
#include "net/store.h"
#include "util/cleanup.h"

static void progress(FILE *out, const char *kind, const char *name,
		     const char *what)
{
	if (out != NULL) {
		fprintf(out, " %s %s  %s\n", kind, name, what);
		fflush(out);
	}
}

/*
 * A "run --rm" container removes itself once stopped, possibly while
 * down walks the list: one that is gone needs no stop or removal.
 */
static int unless_gone(int r, struct berth_error **err)
{
	if (r < 0 && (*err)->errnum == ENOENT) {
		berth_error_free(err);
		return 1;
	}
	return r;
}

/* Stop the containers of service, or of no known service when NULL. */
static int stop_service(struct engine *engine, const struct compose_project *p,
			const char *service, struct compose_container *list,
			size_t n, FILE *out, struct berth_error **err)
{
	int r;

	for (size_t i = 0; i < n; i++) {
		bool known = compose_project_service(p, list[i].service);

		if (service != NULL ? strcmp(list[i].service, service) != 0 :
				      known)
			continue;
		r = unless_gone(
			engine_container_stop(engine, list[i].id, 0, -1, err),
			err);
		if (r < 0)
			return -1;
		if (r == 0)
			progress(out, "Container", list[i].name, "Stopped");
	}
	return 0;
}

static int containers_down(struct engine *engine,
			   const struct compose_project *p, FILE *out,
			   struct berth_error **err)
{
	struct compose_container *list = NULL;
	_cleanup_free_ size_t *order = NULL;
	size_t n = 0;
	int r;

	if (compose_start_order(p, &order, err) < 0 ||
	    compose_containers_find(engine, p->name, NULL, &list, &n, err) < 0)
		return -1;

	r = stop_service(engine, p, NULL, list, n, out, err);
	for (size_t i = p->n_services; r == 0 && i > 0; i--)
		r = stop_service(engine, p, p->services[order[i - 1]].name,
				 list, n, out, err);
	for (size_t i = 0; r == 0 && i < n; i++) {
		r = unless_gone(volume_container_remove(engine, list[i].id,
							true, true, err),
				err);
		if (r == 0)
			progress(out, "Container", list[i].name, "Removed");
		r = r > 0 ? 0 : r;
	}
	compose_containers_free(list, n);
	return r;
}

int compose_down(struct engine *engine, const struct compose_project *p,
		 bool volumes, FILE *out, struct berth_error **err)
{
	if (containers_down(engine, p, out, err) < 0)
		return -1;

	for (size_t i = 0; i < p->n_networks; i++) {
		const struct compose_network *net = &p->networks[i];

		if (net->external ||
		    !net_network_exists(engine->root, net->name))
			continue;
		if (net_network_remove(engine->root, net->name, err) < 0)
			return -1;
		progress(out, "Network", net->name, "Removed");
	}
	for (size_t i = 0; volumes && i < p->n_volumes; i++) {
		const struct compose_volume *v = &p->volumes[i];

		if (v->external || !volume_exists(engine, v->name))
			continue;
		if (volume_remove(engine, v->name, err) < 0)
			return -1;
		progress(out, "Volume", v->name, "Removed");
	}
	return 0;
}

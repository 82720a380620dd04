/* SPDX-License-Identifier: ISC */
/*
 * Control commands: a parsed request in, a JSON reply out.  Each command
 * only reads the arbiter's state or changes a target, a generation or the
 * mode through arbiter.h; the next reconcile step does the rest.
 */
#ifndef POOLD_COMMANDS_H
#define POOLD_COMMANDS_H

#include <jansson.h>
#include <stdbool.h>

#include "proto.h"

/* The reply, NULL only without memory; *subscribe asks for events. */
json_t	*commands_run(const struct proto_request *, bool *subscribe);
/* The one shape of an error reply: {"ok":false,"error":{code,message}};
   NULL only without memory. */
json_t	*commands_error(enum proto_err, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif

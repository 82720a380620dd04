/*
 * The control socket's JSON replies, for the integration tests that
 * read them (jansson is linked only where this is).
 */
#ifndef POOLD_HJSON_H
#define POOLD_HJSON_H

#include <jansson.h>

struct poold;

/* One request on a fresh control connection; the parsed reply (the test
   fails if there is none, or it is not JSON).  json_decref it. */
json_t	*h_ctl_json(struct poold *, const char *request);

#endif

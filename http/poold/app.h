/* SPDX-License-Identifier: ISC */
/*
 * poold application modules: a small, versioned C ABI.
 *
 * A module is a shared object loaded by poold's built-in HTTP workers
 * (--app FILE.so, or app = in a pool).  It defines one object,
 *
 *	const struct poold_app poold_app = { POOLD_APP_ABI_VERSION, ... };
 *
 * which poold finds with dlsym() in every worker process after fork.
 * Each call gets a whole request (the body already read and de-chunked,
 * within limit_request_body) and fills in a response; poold does all the
 * HTTP.  A module that crashes takes one worker down, which the arbiter
 * replaces.
 *
 * Compatibility: poold refuses a module whose abi_version it does not
 * know.  Fields may be added at the end of the structs in a later
 * version, which will bump POOLD_APP_ABI_VERSION.
 */
#ifndef POOLD_APP_H
#define POOLD_APP_H

#include <stddef.h>

#define POOLD_APP_ABI_VERSION	1

/* flags */
#define POOLD_APP_THREAD_SAFE	0x1	/* handle() may run on several
					   threads at once (gthread) */

struct poold_header {
	const char	*name;
	size_t		 name_len;
	const char	*value;
	size_t		 value_len;
};

/* Valid only during the handle() call. */
struct poold_request {
	const char			*method;
	size_t				 method_len;
	const char			*target;	/* path and query */
	size_t				 target_len;
	int				 version_minor;	/* HTTP/1.x */
	const struct poold_header	*headers;
	size_t				 nheaders;
	const char			*body;
	size_t				 body_len;
	const char			*remote_addr;	/* text, or "unix" */
	unsigned			 worker_id;	/* POOLD_WORKER_ID */
};

/*
 * Filled in by handle(); poold sets the defaults shown before the call.
 * What the pointers point to must stay valid until handle() returns to
 * poold, which copies it.  Header names must be tokens and values must
 * not contain CR or LF; poold answers 500 otherwise (no response
 * splitting, whatever the module does).  Content-Length,
 * Transfer-Encoding, Content-Type (set content_type), Connection,
 * Keep-Alive, Date and Server are poold's: a module that sets one of them
 * gets a 500 too.
 */
struct poold_response {
	int				 status;	/* 200 */
	const char			*content_type;	/* text/plain;
							   charset=utf-8 */
	const struct poold_header	*headers;	/* NULL */
	size_t				 nheaders;	/* 0 */
	const void			*body;		/* NULL */
	size_t				 body_len;	/* 0 */
};

struct poold_app {
	unsigned	 abi_version;	/* POOLD_APP_ABI_VERSION */
	unsigned	 flags;		/* POOLD_APP_* */
	const char	*name;
	/* Once per worker process; arg from --app-arg or app_arg (may be
	   NULL).  Non-zero: the worker exits, and the pool backs off. */
	int		(*init)(const char *arg);
	/* One request.  Non-zero: poold answers 500. */
	int		(*handle)(const struct poold_request *,
			    struct poold_response *);
	/* Once, when the worker stops gracefully; may be NULL. */
	void		(*fini)(void);
};

#endif

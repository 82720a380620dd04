/* SPDX-License-Identifier: ISC */
/*
 * The sockets poold offers its workers to reach it by name: the notify
 * socket (datagrams, as systemd's /run/systemd/notify) and, for Einhorn's
 * programs, its command socket (a stream).  Each is a file in poold's
 * runtime directory, named after the arbiter, "<kind>-<pid>-<random>.sock"
 * (several poolds share the directory, PID namespaces repeat pids), or,
 * where there is no such directory or the admin asked, a kernel-named
 * abstract socket ("@name").
 */
#ifndef POOLD_RUNSOCK_H
#define POOLD_RUNSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#define RUNSOCK_DIR	"/run/poold"	/* root's, without RuntimeDirectory= */
#define RUNSOCK_NAME_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) + 1)

/* The kinds: a socket's file name begins with its kind's. */
enum runsock_kind { RS_NOTIFY, RS_EINHORN };

/*
 * Bind fd, a socket of kind's type (SOCK_DGRAM for notify, SOCK_STREAM
 * for Einhorn's), in the runtime directory, mode 0666 so that workers
 * running as another user can reach it; abstract if asked, if there is
 * no runtime directory, or if that fails (said).  Then its name for
 * workers in name (RUNSOCK_NAME_MAX bytes), and whether it is a file
 * (ours to remove) in *file.  0, or -1 with errno.
 */
int	 runsock_bind(int fd, enum runsock_kind, bool abstract, char *name,
	    bool *file);
/* The name and file-ness of an already bound fd (one carried over an
   in-place upgrade).  0, or -1 with errno. */
int	 runsock_name(int fd, char *name, bool *file);
/*
 * A socket file something removed under us (a /run cleaner, systemd
 * removing a runtime directory): a new socket of kind bound at the same
 * path, to replace the old one with (a stream socket still needs its
 * listen()); -1 if the file is there, or could not be made (said).
 */
int	 runsock_remake(const char *path, enum runsock_kind);
/* Whether a worker running as uid:gid can reach the socket file path
   (its directory may not let it through). */
bool	 runsock_reachable_by(const char *path, uid_t uid, gid_t gid);

#endif

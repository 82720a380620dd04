/* SPDX-License-Identifier: ISC */
/* Einhorn's messages (einhornmsg.h). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "einhornmsg.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * Undo the transport's escaping into out (room for len + 1): %25 and
 * %0A, and any other %XX, which no conforming client sends unescaped
 * (an old Node client URI-encoded the whole message).  Its length.
 */
static size_t
unescape(const char *in, size_t len, char *out)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		int hi, lo;

		if (in[i] == '%' && i + 2 < len &&
		    (hi = hexval((unsigned char)in[i + 1])) != -1 &&
		    (lo = hexval((unsigned char)in[i + 2])) != -1) {
			out[n++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			out[n++] = in[i];
	}
	out[n] = '\0';
	return n;
}

static long
pid_of(const char *s)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && v > 0 ? v : 0;
}

static void
set_command(struct einhorn_msg *m, const char *cmd)
{
	size_t i;

	for (i = 0; cmd[i] != '\0' && i + 1 < sizeof(m->em_command); i++)
		m->em_command[i] = isprint((unsigned char)cmd[i]) ? cmd[i] :
		    '?';
	m->em_command[i] = '\0';
	if (i == 0)
		m->em_kind = EK_BAD;
	else
		m->em_kind = strcmp(cmd, "worker:ack") == 0 ? EK_ACK :
		    EK_OTHER;
}

static void
parse_json(const char *s, size_t len, struct einhorn_msg *m)
{
	json_t	*o = json_loadb(s, len, 0, NULL), *pid;

	if (json_is_object(o) &&
	    json_is_string(json_object_get(o, "command"))) {
		set_command(m, json_string_value(json_object_get(o,
		    "command")));
		pid = json_object_get(o, "pid");
		if (json_is_integer(pid) && json_integer_value(pid) > 0)
			m->em_pid = (long)json_integer_value(pid);
		else if (json_is_string(pid))
			m->em_pid = pid_of(json_string_value(pid));
	}
	json_decref(o);
}

/* A scalar as YAML writes it plain or quoted, in place. */
static char *
scalar(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r'))
		s[--n] = '\0';
	if (n >= 2 && (s[0] == '\'' || s[0] == '"') && s[n - 1] == s[0]) {
		s[n - 1] = '\0';
		s++;
	}
	return s;
}

/* A block mapping of scalars, one "key: value" a line; the rest (a
   document marker, comments, anything nested) passed over. */
static void
parse_yaml(char *s, struct einhorn_msg *m)
{
	char *line, *next, *colon;

	for (line = s; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (line[0] == ' ' || line[0] == '#' ||
		    (colon = strstr(line, ": ")) == NULL)
			continue;
		*colon = '\0';
		if (strcmp(scalar(line), "command") == 0)
			set_command(m, scalar(colon + 2));
		else if (strcmp(scalar(line), "pid") == 0)
			m->em_pid = pid_of(scalar(colon + 2));
	}
}

void
einhorn_parse(const char *line, size_t len, struct einhorn_msg *m)
{
	char	buf[EINHORN_LINE_MAX + 1], *s;
	size_t	n;

	memset(m, 0, sizeof(*m));
	m->em_kind = EK_BAD;
	if (len > EINHORN_LINE_MAX)
		return;
	n = unescape(line, len, buf);
	for (s = buf; *s == ' ' || *s == '\t' || *s == '\n'; s++)
		continue;
	if (*s == '{')
		parse_json(s, n - (size_t)(s - buf), m);
	else
		parse_yaml(s, m);
	if (m->em_kind == EK_BAD)
		m->em_pid = 0;
}

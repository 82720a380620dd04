# SPDX-License-Identifier: ISC
# The control protocol, shared by poold and poolctl.
noinst_LIBRARIES += proto/libproto.a
proto_libproto_a_SOURCES = proto/proto.c proto/proto.h
# The notify protocol workers speak to the arbiter.
proto_libproto_a_SOURCES += proto/notifymsg.c proto/notifymsg.h
# Einhorn's command protocol, for compat = einhorn's worker:ack.
proto_libproto_a_SOURCES += proto/einhornmsg.c proto/einhornmsg.h
proto_libproto_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)

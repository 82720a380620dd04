# poolctl, the control client.
sbin_PROGRAMS += ctl/poolctl
ctl_poolctl_SOURCES = ctl/poolctl.c
ctl_poolctl_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
ctl_poolctl_LDADD = proto/libproto.a $(JANSSON_LIBS) -lm
dist_man_MANS += ctl/poolctl.8

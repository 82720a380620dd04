# SPDX-License-Identifier: ISC
# The daemon.  Everything but main.c is in a library the tests link too.
noinst_LIBRARIES += supervisor/libpoold.a
supervisor_libpoold_a_SOURCES = \
	supervisor/addr.c supervisor/addr.h \
	supervisor/arbiter.c supervisor/arbiter.h \
	supervisor/bounds.c supervisor/bounds.h \
	supervisor/commands.c supervisor/commands.h \
	supervisor/control.c supervisor/control.h \
	supervisor/events.c supervisor/events.h \
	supervisor/guardian.c supervisor/guardian.h \
	supervisor/inplace.c supervisor/inplace.h \
	supervisor/conf.c supervisor/conf.h \
	supervisor/conffile.c supervisor/conffile.h \
	supervisor/confcheck.c supervisor/confcheck.h \
	supervisor/confprint.c supervisor/confprint.h \
	supervisor/filewatch.c supervisor/filewatch.h \
	supervisor/confhint.c supervisor/confhint.h \
	supervisor/cgroup.c supervisor/cgroup.h \
	supervisor/cgfork.c supervisor/cgfork.h \
	supervisor/cgres.c supervisor/cgres.h \
	supervisor/compat.c supervisor/compat.h \
	supervisor/readyfd.c supervisor/readyfd.h \
	supervisor/capture.c supervisor/capture.h \
	supervisor/lsock.c supervisor/lsock.h \
	supervisor/listeners.c supervisor/listeners.h \
	supervisor/log.c supervisor/log.h \
	supervisor/loglimit.c supervisor/loglimit.h \
	supervisor/loop.c supervisor/loop.h \
	supervisor/manager.c supervisor/manager.h \
	supervisor/metrics.c supervisor/metrics.h \
	supervisor/workernotify.c supervisor/workernotify.h \
	supervisor/runsock.c supervisor/runsock.h \
	supervisor/einhorn.c supervisor/einhorn.h \
	supervisor/cpus.c supervisor/cpus.h \
	supervisor/health.c supervisor/health.h \
	supervisor/options.c supervisor/options.h \
	supervisor/pidfile.c supervisor/pidfile.h \
	supervisor/procstat.c supervisor/procstat.h \
	supervisor/reexec.c supervisor/reexec.h \
	supervisor/scaler.c supervisor/scaler.h \
	supervisor/sdenv.c supervisor/sdenv.h \
	supervisor/sentinel.c supervisor/sentinel.h \
	supervisor/sockstat.c supervisor/sockstat.h \
	supervisor/signame.c supervisor/signame.h \
	supervisor/sockserver.c supervisor/sockserver.h \
	supervisor/spawn.c supervisor/spawn.h \
	supervisor/stats.c supervisor/stats.h \
	supervisor/usr2.c supervisor/usr2.h
supervisor_libpoold_a_CFLAGS = $(AM_CFLAGS) $(CONFUSE_CFLAGS) \
	$(JANSSON_CFLAGS)

sbin_PROGRAMS += supervisor/poold
supervisor_poold_SOURCES = supervisor/main.c
supervisor_poold_LDADD = supervisor/libpoold.a pool/libpool.a \
	proto/libproto.a http/libhttp.a $(CONFUSE_LIBS) $(JANSSON_LIBS)
dist_man_MANS += supervisor/poold.8

# SPDX-License-Identifier: ISC
EXTRA_DIST += etc/poold.conf
dist_man_MANS += etc/poold.conf.5

# systemd units, in the directory systemd.pc names (--with-systemdunitdir
# overrides it).  The service files name the installed binary and config.
systemdunit_DATA = etc/poold.service etc/poold@.service etc/poold.socket
EXTRA_DIST += etc/poold.service.in etc/poold@.service.in etc/poold.socket
CLEANFILES += etc/poold.service etc/poold@.service
unit_subst = sed -e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g'
etc/poold.service: $(srcdir)/etc/poold.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) etc && $(unit_subst) \
	    $(srcdir)/etc/poold.service.in > $@
etc/poold@.service: $(srcdir)/etc/poold@.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) etc && $(unit_subst) \
	    $(srcdir)/etc/poold@.service.in > $@

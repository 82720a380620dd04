# SPDX-License-Identifier: ISC
EXTRA_DIST += etc/poold.conf
dist_man_MANS += etc/poold.conf.5

# systemd units, in systemdunitdir (configure.ac).  The service files
# name the installed binaries and config, so they are written at install
# time, with the directories of that `make install` (a prefix= or
# sbindir= given to it counts): a file made at build time would keep
# configure's.  tests/units.sh substitutes paths of its own.
EXTRA_DIST += etc/poold.service.in etc/poold@.service.in etc/poold.socket
unit_subst = sed -e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g'
install-data-local: install-units
uninstall-local: uninstall-units
install-units:
	$(MKDIR_P) '$(DESTDIR)$(systemdunitdir)'
	for u in poold.service poold@.service; do \
	    $(unit_subst) $(srcdir)/etc/$$u.in > '$(DESTDIR)$(systemdunitdir)'/$$u \
	    && chmod 644 '$(DESTDIR)$(systemdunitdir)'/$$u || exit 1; \
	done
	$(INSTALL_DATA) $(srcdir)/etc/poold.socket '$(DESTDIR)$(systemdunitdir)'
uninstall-units:
	rm -f '$(DESTDIR)$(systemdunitdir)/poold.service' \
	    '$(DESTDIR)$(systemdunitdir)/poold@.service' \
	    '$(DESTDIR)$(systemdunitdir)/poold.socket'
.PHONY: install-units uninstall-units

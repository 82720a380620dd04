# SPDX-License-Identifier: ISC
# poolctl, the control client.
sbin_PROGRAMS += ctl/poolctl
ctl_poolctl_SOURCES = ctl/poolctl.c
ctl_poolctl_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
ctl_poolctl_LDADD = proto/libproto.a pool/libpool.a $(JANSSON_LIBS) -lm
dist_man_MANS += ctl/poolctl.8

# bash completion, installed under the command's name, which is how
# bash-completion finds it on demand (the program has that name in the
# build tree, hence a rule rather than bashcompletion_DATA).
EXTRA_DIST += ctl/poolctl.bash supervisor/poold.bash
install-data-local: install-bashcompletion
uninstall-local: uninstall-bashcompletion
install-bashcompletion:
	$(MKDIR_P) '$(DESTDIR)$(bashcompletiondir)'
	$(INSTALL_DATA) $(srcdir)/ctl/poolctl.bash \
	    '$(DESTDIR)$(bashcompletiondir)/poolctl'
	$(INSTALL_DATA) $(srcdir)/supervisor/poold.bash \
	    '$(DESTDIR)$(bashcompletiondir)/poold'
uninstall-bashcompletion:
	rm -f '$(DESTDIR)$(bashcompletiondir)/poolctl' \
	    '$(DESTDIR)$(bashcompletiondir)/poold'
.PHONY: install-bashcompletion uninstall-bashcompletion

# The Debian package.  `make deb` builds poold's .deb the way Debian would,
# from the release tarball (make dist), and checks it with lintian:
#   deb/poold_$(VERSION).orig.tar.gz   the dist tarball, renamed
#   deb/poold-$(VERSION)/              unpacked; debian/ comes with it
#   deb/poold_<debian version>_<arch>.deb, .changes, .buildinfo
# Everything is under $(builddir)/deb, which `make clean` removes; the
# source tree is never written, so VPATH builds and distcheck's read-only
# source tree are fine.  Needs dpkg-dev, debhelper and lintian, and the
# Build-Depends of debian/control without the <!nocheck> ones.
#
# The package is built with nocheck (DEB_BUILD_OPTIONS and the build
# profile, so the test-only Build-Depends are not needed either): CI runs
# the whole suite separately (make check, make distcheck).  Without
# nocheck, dpkg-buildpackage would run make check again inside the build.

# debian/ is in the dist tarball, so a release tarball builds its own
# package (and make deb needs nothing from the source tree but the
# tarball); a file added to debian/ must be listed here too.
EXTRA_DIST += \
	debian/changelog \
	debian/conf/poold.conf \
	debian/control \
	debian/copyright \
	debian/local.mk \
	debian/poold.examples \
	debian/poold.install \
	debian/poold.lintian-overrides \
	debian/poold.prerm \
	debian/poold.sysusers \
	debian/rules \
	debian/source/format

DEB_DIR = deb

deb:
	@v=$$(dpkg-parsechangelog -l $(srcdir)/debian/changelog -S Version) || \
	    exit 1; case $$v in \
	    $(VERSION)-*) ;; \
	    *) echo "make deb: debian/changelog is at $$v but configure.ac" \
	        "at $(VERSION): add an entry (dch -v $(VERSION)-1)" >&2; \
	        exit 1;; esac
	rm -rf $(DEB_DIR)
	$(MKDIR_P) $(DEB_DIR)
	$(MAKE) $(AM_MAKEFLAGS) dist-gzip
	mv $(distdir).tar.gz $(DEB_DIR)/$(PACKAGE)_$(VERSION).orig.tar.gz
	cd $(DEB_DIR) && tar -xzf $(PACKAGE)_$(VERSION).orig.tar.gz
	test -x $(DEB_DIR)/$(distdir)/debian/rules
	cd $(DEB_DIR)/$(distdir) && \
	    DEB_BUILD_OPTIONS="nocheck $${DEB_BUILD_OPTIONS-}" \
	    DEB_BUILD_PROFILES=nocheck dpkg-buildpackage -us -uc -b
	lintian --fail-on error $(DEB_DIR)/*.changes

# The package under a real systemd (tests/systemd-real.sh, TAP): its
# container image (cached by its recipe) is built while the package is.
deb-check:
	@$(SHELL) $(srcdir)/tests/systemd-real.sh image \
	    >systemd-image.log 2>&1 & img=$$!; \
	$(MAKE) $(AM_MAKEFLAGS) deb; rc=$$?; wait $$img; \
	sed 's/^/# image: /' systemd-image.log; rm -f systemd-image.log; \
	test $$rc -eq 0 || exit $$rc; \
	POOLD_SRCDIR=$(abs_top_srcdir) $(SHELL) \
	    $(srcdir)/tests/systemd-real.sh test $(DEB_DIR)

clean-local: clean-deb
clean-deb:
	-rm -rf $(DEB_DIR)

.PHONY: deb deb-check clean-deb

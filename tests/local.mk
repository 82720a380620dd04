# SPDX-License-Identifier: ISC
# Tests: Criterion unit tests of the pure parts, integration tests that run
# real poold processes, and the worker programs they use.  Each test
# program speaks TAP, so make check shows one line per test.
if HAVE_CRITERION
UNIT_TESTS = \
	tests/unit/test_addr \
	tests/unit/test_backoff \
	tests/unit/test_autoscale \
	tests/unit/test_cgfork \
	tests/unit/test_cgres \
	tests/unit/test_conf \
	tests/unit/test_cpus \
	tests/unit/test_http \
	tests/unit/test_http_corpus \
	tests/unit/test_loadgen \
	tests/unit/test_loop \
	tests/unit/test_pool \
	tests/unit/test_proto \
	tests/unit/test_notify \
	tests/unit/test_scoreboard
INTEG_TESTS = \
	tests/integ/test_workers \
	tests/integ/test_tree \
	tests/integ/test_signals \
	tests/integ/test_stop \
	tests/integ/test_errors \
	tests/integ/test_control \
	tests/integ/test_http \
	tests/integ/test_health \
	tests/integ/test_systemd \
	tests/integ/test_upgrade \
	tests/integ/test_scale \
	tests/integ/test_stress \
	tests/integ/test_programs \
	tests/integ/test_container

check_PROGRAMS += tests/tworker $(UNIT_TESTS) $(INTEG_TESTS)
# A module that is not thread-safe, for the gthread lock's test.
check_PROGRAMS += tests/shared_app.so
tests_shared_app_so_SOURCES = tests/shared_app.c
tests_shared_app_so_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/http
tests_shared_app_so_CFLAGS = $(AM_CFLAGS) -fPIC
tests_shared_app_so_LDFLAGS = -shared
# libsystemd's sd_notify() for --libsystemd: the real client library.
tests_tworker_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS)
tests_tworker_LDADD = $(SYSTEMD_LIBS)
TESTS += $(UNIT_TESTS) $(INTEG_TESTS) tests/manpages.sh tests/units.sh \
	tests/podman.sh tests/poolctl-docs.sh \
	tests/completion.sh tests/readme.sh tests/docs.sh \
	tests/config-print.sh tests/install.sh

UNIT_LDADD = supervisor/libpoold.a pool/libpool.a proto/libproto.a \
	http/libhttp.a \
	$(CONFUSE_LIBS) $(SYSTEMD_LIBS) $(JANSSON_LIBS) $(CRITERION_LIBS)
tests_unit_test_addr_LDADD = $(UNIT_LDADD)
tests_unit_test_backoff_LDADD = $(UNIT_LDADD)
tests_unit_test_autoscale_LDADD = $(UNIT_LDADD)
tests_unit_test_cgfork_LDADD = $(UNIT_LDADD) -lpthread
tests_unit_test_cgres_LDADD = $(UNIT_LDADD)
tests_unit_test_conf_LDADD = $(UNIT_LDADD)
tests_unit_test_cpus_LDADD = $(UNIT_LDADD)
tests_unit_test_pool_LDADD = $(UNIT_LDADD)
tests_unit_test_proto_LDADD = $(UNIT_LDADD)
tests_unit_test_scoreboard_LDADD = $(UNIT_LDADD)
tests_unit_test_notify_LDADD = $(UNIT_LDADD)
tests_unit_test_loop_LDADD = $(UNIT_LDADD)
tests_unit_test_loadgen_LDADD = tests/libloadgen.a tests/libharness.a \
	$(CRITERION_LIBS) -lpthread
# The request feeder both HTTP parser tests drive the parser with.
noinst_LIBRARIES += tests/libhttpfeed.a
tests_libhttpfeed_a_SOURCES = tests/httpfeed.c tests/httpfeed.h
tests_unit_test_http_LDADD = tests/libhttpfeed.a http/libhttp.a \
	$(CRITERION_LIBS)
tests_unit_test_http_corpus_LDADD = tests/libhttpfeed.a http/libhttp.a \
	$(CRITERION_LIBS)

noinst_LIBRARIES += tests/libharness.a
tests_libharness_a_SOURCES = tests/harness.c tests/harness.h tests/pace.h
# Control replies as JSON, for the tests that link jansson.
noinst_LIBRARIES += tests/libhjson.a
tests_libhjson_a_SOURCES = tests/hjson.c tests/hjson.h
tests_libhjson_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
# Every integration test may read the control socket's JSON (hjson.h).
INTEG_LDADD = tests/libhjson.a tests/libharness.a proto/libproto.a \
	$(CRITERION_LIBS) $(JANSSON_LIBS)
INTEG_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_integ_test_workers_LDADD = $(INTEG_LDADD)
tests_integ_test_workers_CFLAGS = $(INTEG_CFLAGS)
tests_integ_test_tree_LDADD = $(INTEG_LDADD)
tests_integ_test_tree_CFLAGS = $(INTEG_CFLAGS)
tests_integ_test_signals_LDADD = $(INTEG_LDADD)
tests_integ_test_signals_CFLAGS = $(INTEG_CFLAGS)
tests_integ_test_stop_LDADD = $(INTEG_LDADD)
tests_integ_test_stop_CFLAGS = $(INTEG_CFLAGS)
tests_integ_test_errors_LDADD = $(INTEG_LDADD)
tests_integ_test_errors_CFLAGS = $(INTEG_CFLAGS)
tests_integ_test_systemd_LDADD = $(INTEG_LDADD)
tests_integ_test_systemd_CFLAGS = $(INTEG_CFLAGS)
tests_integ_test_upgrade_LDADD = $(INTEG_LDADD)
tests_integ_test_upgrade_CFLAGS = $(INTEG_CFLAGS)
tests_integ_test_scale_LDADD = $(INTEG_LDADD)
tests_integ_test_stress_LDADD = tests/libloadgen.a $(INTEG_LDADD) -lpthread
tests_integ_test_stress_CFLAGS = $(INTEG_CFLAGS)
tests_integ_test_programs_LDADD = tests/libloadgen.a $(INTEG_LDADD) -lpthread
tests_integ_test_programs_CFLAGS = $(INTEG_CFLAGS)
tests_integ_test_container_LDADD = $(INTEG_LDADD)
tests_integ_test_container_CFLAGS = $(INTEG_CFLAGS)
# The load client of the chaos tests.
noinst_LIBRARIES += tests/libloadgen.a
tests_libloadgen_a_SOURCES = tests/loadgen.c tests/loadgen.h \
	tests/conntrack.c tests/conntrack.h
tests_integ_test_scale_CFLAGS = $(INTEG_CFLAGS)
tests_integ_test_control_LDADD = $(INTEG_LDADD)
tests_integ_test_control_CFLAGS = $(INTEG_CFLAGS)
tests_integ_test_http_LDADD = $(INTEG_LDADD) -lpthread
tests_integ_test_http_CFLAGS = $(INTEG_CFLAGS)
tests_integ_test_health_LDADD = tests/libloadgen.a $(INTEG_LDADD) -lpthread
tests_integ_test_health_CFLAGS = $(INTEG_CFLAGS)

AM_TESTS_ENVIRONMENT = \
	POOLD=$(abs_top_builddir)/supervisor/poold; \
	TWORKER=$(abs_top_builddir)/tests/tworker; \
	POOLCTL=$(abs_top_builddir)/ctl/poolctl; \
	POOLD_APP_EXAMPLE=$(abs_top_builddir)/examples/hello_app.so; \
	POOLD_SHARED_APP=$(abs_top_builddir)/tests/shared_app.so; \
	POOLD_TESTDATA=$(abs_top_srcdir)/tests/data; \
	POOLD_SRCDIR=$(abs_top_srcdir); \
	CRITERION_OUTPUTS=tap:-; \
	LSAN_OPTIONS=suppressions=$(abs_top_srcdir)/tests/lsan.supp:print_suppressions=0; \
	POOLD_SANITIZED=$(enable_sanitizers); \
	POOLD_BUILDDIR=$(abs_top_builddir); POOLD_MAKE='$(MAKE)'; \
	POOLD_PREFIX=$(prefix); \
	export POOLD TWORKER POOLCTL POOLD_APP_EXAMPLE POOLD_SHARED_APP POOLD_TESTDATA POOLD_SRCDIR CRITERION_OUTPUTS LSAN_OPTIONS POOLD_SANITIZED POOLD_BUILDDIR POOLD_MAKE POOLD_PREFIX;
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) \
	$(top_srcdir)/build-aux/tap-driver.sh
else
check-local:
	@echo "make check needs Criterion: apt-get install libcriterion-dev" >&2
	@exit 1
endif

EXTRA_DIST += tests/data tests/corpus tests/manpages.sh tests/units.sh \
	tests/lsan.supp \
	tests/podman.sh tests/poolctl-docs.sh \
	tests/lib.sh tests/completion.sh tests/readme.sh tests/docs.sh \
	tests/config-print.sh tests/install.sh tests/systemd-real.sh

# libFuzzer targets (clang): make fuzz, then run e.g.
#   mkdir -p /tmp/corpus && tests/fuzz/fuzz_http -max_total_time=60 \
#       /tmp/corpus tests/fuzz/corpus/http
# (libFuzzer writes what it finds into the first directory: keep the
# committed seeds out of that place).
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined $(WARN_CFLAGS) \
	-I$(top_builddir) -I$(top_srcdir)/proto
FUZZ_TARGETS = tests/fuzz/fuzz_request tests/fuzz/fuzz_http \
	tests/fuzz/fuzz_notify tests/fuzz/fuzz_conf
fuzz: $(FUZZ_TARGETS)
tests/fuzz/fuzz_http: $(srcdir)/tests/fuzz/fuzz_http.c \
		$(srcdir)/http/parse.c $(srcdir)/http/chunked.c \
		$(srcdir)/http/http.h
	@$(MKDIR_P) tests/fuzz
	clang $(FUZZ_CFLAGS) -I$(top_srcdir)/http -o $@ \
	    $(srcdir)/tests/fuzz/fuzz_http.c $(srcdir)/http/parse.c \
	    $(srcdir)/http/chunked.c
tests/fuzz/fuzz_request: $(srcdir)/tests/fuzz/fuzz_request.c \
		$(srcdir)/proto/proto.c $(srcdir)/proto/proto.h
	@$(MKDIR_P) tests/fuzz
	clang $(FUZZ_CFLAGS) -o $@ $(srcdir)/tests/fuzz/fuzz_request.c \
	    $(srcdir)/proto/proto.c
tests/fuzz/fuzz_notify: $(srcdir)/tests/fuzz/fuzz_notify.c \
		$(srcdir)/proto/notifymsg.c $(srcdir)/proto/notifymsg.h
	@$(MKDIR_P) tests/fuzz
	clang $(FUZZ_CFLAGS) -o $@ $(srcdir)/tests/fuzz/fuzz_notify.c \
	    $(srcdir)/proto/notifymsg.c
# Config loading is the daemon's code with libconfuse, compiled with
# clang for coverage.
FUZZ_CONF_SRC = supervisor/conf.c supervisor/addr.c \
	supervisor/options.c supervisor/log.c supervisor/signame.c \
	proto/proto.c supervisor/bounds.c supervisor/conffile.c \
	supervisor/confhint.c supervisor/cgres.c supervisor/compat.c \
	supervisor/lsock.c supervisor/cpus.c \
	pool/autoscale.c http/accesslog.c http/parse.c http/chunked.c \
	http/jsonstr.c
tests/fuzz/fuzz_conf: $(srcdir)/tests/fuzz/fuzz_conf.c \
		$(FUZZ_CONF_SRC:%=$(srcdir)/%)
	@$(MKDIR_P) tests/fuzz
	clang $(FUZZ_CFLAGS) -I$(top_srcdir)/supervisor -I$(top_srcdir)/pool \
	    -I$(top_srcdir)/http $(CONFUSE_CFLAGS) -o $@ \
	    $(srcdir)/tests/fuzz/fuzz_conf.c $(FUZZ_CONF_SRC:%=$(srcdir)/%) \
	    $(CONFUSE_LIBS)
CLEANFILES += $(FUZZ_TARGETS)
# Built before the tests, and run for a bounded time by tests/fuzz/run.sh.
check_DATA = $(FUZZ_TARGETS)
TESTS += tests/fuzz/run.sh
EXTRA_DIST += tests/fuzz/run.sh tests/fuzz/fuzz_http.c \
	tests/fuzz/fuzz_request.c tests/fuzz/fuzz_notify.c \
	tests/fuzz/fuzz_conf.c tests/fuzz/corpus
.PHONY: fuzz

# The chaos scenarios at full length (RELIABILITY.md); make check runs
# them short.  One at a time, so that each has the machine.
check-stress: supervisor/poold ctl/poolctl tests/tworker tests/integ/test_stress
	@$(AM_TESTS_ENVIRONMENT) POOLD_STRESS=full; export POOLD_STRESS; \
	    unset CRITERION_OUTPUTS; tests/integ/test_stress --verbose -j1
.PHONY: check-stress

# The arbiter under valgrind's memcheck through the integration tests
# (RELIABILITY.md): any error or definite leak fails, with its report.
# Two tests are left out there: valgrind keeps an fd of its own open
# (the close-on-exec test), and -D forks a daemon that valgrind follows
# too slowly for the stop test's deadline.
VALGRIND_TESTS = tests/integ/test_workers tests/integ/test_signals \
	tests/integ/test_stop tests/integ/test_errors \
	tests/integ/test_control tests/integ/test_health \
	tests/integ/test_scale
check-valgrind: supervisor/poold ctl/poolctl tests/tworker $(VALGRIND_TESTS)
	@rm -rf tests/valgrind.out && $(MKDIR_P) tests/valgrind.out
	@$(AM_TESTS_ENVIRONMENT) POOLD_REAL=$$POOLD; \
	    POOLD=$(abs_top_srcdir)/tests/valgrind-poold.sh; \
	    POOLD_VALGRIND_DIR=$(abs_top_builddir)/tests/valgrind.out; \
	    export POOLD_REAL POOLD POOLD_VALGRIND_DIR; unset CRITERION_OUTPUTS; \
	    rc=0; for t in $(VALGRIND_TESTS); do \
	        case $$t in \
	        *test_workers) f='*/!(arbiter_fds_are_close_on_exec)';; \
	        *test_stop) f='*/!(daemon*)';; \
	        *) f='*/*';; \
	        esac; \
	        $$t -j1 --filter "$$f" || rc=1; done; \
	    n=$$(ls tests/valgrind.out | wc -l); \
	    bad=$$(find tests/valgrind.out -type f -size +0 | wc -l); \
	    echo "valgrind: $$n arbiter runs, $$bad with errors or leaks"; \
	    for f in $$(find tests/valgrind.out -type f -size +0); do \
	        cat $$f; done; \
	    test $$rc = 0 && test $$bad = 0
.PHONY: check-valgrind
EXTRA_DIST += tests/valgrind-poold.sh

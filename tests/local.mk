# Tests: Criterion unit tests of the pure parts, integration tests that run
# real poold processes, and the worker programs they use.  Each test
# program speaks TAP, so make check shows one line per test.
if HAVE_CRITERION
UNIT_TESTS = \
	tests/unit/test_addr \
	tests/unit/test_backoff \
	tests/unit/test_conf \
	tests/unit/test_pool
INTEG_TESTS = \
	tests/integ/test_workers \
	tests/integ/test_signals \
	tests/integ/test_stop \
	tests/integ/test_errors

check_PROGRAMS += tests/tworker $(UNIT_TESTS) $(INTEG_TESTS)
TESTS += $(UNIT_TESTS) $(INTEG_TESTS)

UNIT_LDADD = supervisor/libpoold.a pool/libpool.a proto/libproto.a \
	$(CONFUSE_LIBS) $(SYSTEMD_LIBS) $(JANSSON_LIBS) $(CRITERION_LIBS)
tests_unit_test_addr_LDADD = $(UNIT_LDADD)
tests_unit_test_backoff_LDADD = $(UNIT_LDADD)
tests_unit_test_conf_LDADD = $(UNIT_LDADD)
tests_unit_test_pool_LDADD = $(UNIT_LDADD)

noinst_LIBRARIES += tests/libharness.a
tests_libharness_a_SOURCES = tests/harness.c tests/harness.h
INTEG_LDADD = tests/libharness.a $(CRITERION_LIBS)
tests_integ_test_workers_LDADD = $(INTEG_LDADD)
tests_integ_test_signals_LDADD = $(INTEG_LDADD)
tests_integ_test_stop_LDADD = $(INTEG_LDADD)
tests_integ_test_errors_LDADD = $(INTEG_LDADD)

AM_TESTS_ENVIRONMENT = \
	POOLD=$(abs_top_builddir)/supervisor/poold; \
	TWORKER=$(abs_top_builddir)/tests/tworker; \
	POOLD_TESTDATA=$(abs_top_srcdir)/tests/data; \
	POOLD_SRCDIR=$(abs_top_srcdir); \
	CRITERION_OUTPUTS=tap:-; \
	export POOLD TWORKER POOLD_TESTDATA POOLD_SRCDIR CRITERION_OUTPUTS;
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) \
	$(top_srcdir)/build-aux/tap-driver.sh
else
check-local:
	@echo "make check needs Criterion: apt-get install libcriterion-dev" >&2
	@exit 1
endif

EXTRA_DIST += tests/data

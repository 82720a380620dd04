# SPDX-License-Identifier: ISC
# Pool policy: pure code, no system calls; linked by poold and the tests.
noinst_LIBRARIES += pool/libpool.a
pool_libpool_a_SOURCES = \
	pool/backoff.c pool/backoff.h \
	pool/end.c pool/end.h \
	pool/pool.c pool/pool.h
pool_libpool_a_SOURCES += pool/scoreboard.c pool/scoreboard.h
pool_libpool_a_SOURCES += pool/autoscale.c pool/autoscale.h

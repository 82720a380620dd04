# SPDX-License-Identifier: ISC
# The built-in HTTP worker: parser, response heads, worker loops.
noinst_LIBRARIES += http/libhttp.a
http_libhttp_a_SOURCES = \
	http/chunked.c \
	http/http.h \
	http/parse.c \
	http/response.c
http_libhttp_a_SOURCES += \
	http/async.c \
	http/serve.c \
	http/sync.c \
	http/worker.h
http_libhttp_a_SOURCES += http/static.c
http_libhttp_a_SOURCES += http/accesslog.c http/accesslog.h
http_libhttp_a_SOURCES += http/jsonstr.c http/jsonstr.h
http_libhttp_a_SOURCES += http/blocking.c http/gthread.c
http_libhttp_a_SOURCES += http/app.c
http_libhttp_a_SOURCES += http/share.c http/loop.c http/worker.c
http_libhttp_a_SOURCES += http/recycle.c http/beat.c http/tell.c
pkginclude_HEADERS = http/poold/app.h
dist_man_MANS += http/poold-app.3

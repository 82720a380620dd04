# SPDX-License-Identifier: ISC
# Example worker programs: what the README runs before the built-in worker.
noinst_PROGRAMS += examples/poold-echo
examples_poold_echo_SOURCES = examples/echo.c

# The example application module, a shared object built without libtool:
# the tests load it, and it shows module authors the whole ABI.
noinst_PROGRAMS += examples/hello_app.so
examples_hello_app_so_SOURCES = examples/hello_app.c
examples_hello_app_so_CFLAGS = $(AM_CFLAGS) -fPIC
examples_hello_app_so_LDFLAGS = -shared

# The worked example of docs/app-modules.md, built so that it stays true.
noinst_PROGRAMS += examples/greet_app.so
examples_greet_app_so_SOURCES = examples/greet_app.c
examples_greet_app_so_CFLAGS = $(AM_CFLAGS) -fPIC
examples_greet_app_so_LDFLAGS = -shared

# Example worker programs: what the README runs before the built-in worker.
noinst_PROGRAMS += examples/poold-echo
examples_poold_echo_SOURCES = examples/echo.c

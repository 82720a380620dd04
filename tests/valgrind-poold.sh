#!/bin/sh
# SPDX-License-Identifier: ISC
# poold under valgrind's memcheck, for make check-valgrind: the
# integration tests start this instead of poold (POOLD=).  Each run
# writes its report to $POOLD_VALGRIND_DIR; workers are not followed
# (they are separate programs, and the built-in ones share the arbiter's
# code, checked by the unit tests and the sanitizers).
dir=${POOLD_VALGRIND_DIR:-/tmp}
exec valgrind --quiet --tool=memcheck --leak-check=full \
    --errors-for-leak-kinds=definite --show-leak-kinds=definite \
    --child-silent-after-fork=yes --trace-children=no \
    --log-file="$dir/vg.%p.log" "${POOLD_REAL:?}" "$@"

EXTRA_DIST += bench/foundation.py
EXTRA_DIST += bench/control.py
EXTRA_DIST += bench/http.py bench/apps/hello_wsgi.py
EXTRA_DIST += BENCHMARKS.md
EXTRA_DIST += bench/scale.py

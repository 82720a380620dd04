# SPDX-License-Identifier: ISC
EXTRA_DIST += bench/benchlib.py bench/foundation.py
EXTRA_DIST += bench/control.py
EXTRA_DIST += bench/http.py bench/apps/hello_wsgi.py
EXTRA_DIST += BENCHMARKS.md
EXTRA_DIST += bench/scale.py
EXTRA_DIST += bench/supervisors.py
EXTRA_DIST += bench/trees.py bench/cgroups.py bench/capture.py
EXTRA_DIST += bench/rolling.py

# Every benchmark, results under bench/results/ (BENCHMARKS.md); about
# 25 minutes on two cores, most of it bench/http.py.  Peers:
#   apt-get install -y wrk nginx-light gunicorn uwsgi uwsgi-plugin-python3 lighttpd
#       strace gnuplot-nox
bench: supervisor/poold ctl/poolctl tests/tworker
	cd $(top_srcdir) && python3 bench/foundation.py --runs 10 --save
	cd $(top_srcdir) && python3 bench/control.py --save
	cd $(top_srcdir) && python3 bench/scale.py --runs 5 --save
	cd $(top_srcdir) && python3 bench/supervisors.py --runs 3 --save
	cd $(top_srcdir) && python3 bench/http.py --runs 3 --save
	cd $(top_srcdir) && python3 bench/trees.py --save
	cd $(top_srcdir) && python3 bench/rolling.py --save
	cd $(top_srcdir) && python3 bench/cgroups.py
	cd $(top_srcdir) && python3 bench/capture.py --save
.PHONY: bench

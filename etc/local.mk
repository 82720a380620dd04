EXTRA_DIST += etc/poold.conf

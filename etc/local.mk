EXTRA_DIST += etc/poold.conf
dist_man_MANS += etc/poold.conf.5

# Documentation, installed in $(docdir) (/usr/share/doc/poold); the man
# pages are installed by the folders they describe.
dist_doc_DATA = README.md docs/configuration.md docs/worker-contract.md \
	docs/app-modules.md docs/gunicorn.md docs/programs.md \
	proto/PROTOCOL.md
# For people changing the code: in the tarball, not installed.
EXTRA_DIST += docs/HACKING.md

# SPDX-License-Identifier: ISC
# Documentation, installed in $(docdir) (/usr/share/doc/poold); the man
# pages are installed by the folders they describe.
dist_doc_DATA = README.md docs/configuration.md docs/worker-contract.md \
	docs/app-modules.md docs/gunicorn.md docs/programs.md \
	docs/containers.md proto/PROTOCOL.md
# The container image, its configuration and the orchestrators' files
# (docs/containers.md); test_container reads them.
EXTRA_DIST += deploy/Containerfile deploy/poold.conf deploy/kubernetes.yaml \
	deploy/nomad.hcl
# For people changing the code: in the tarball, not installed.
EXTRA_DIST += docs/HACKING.md

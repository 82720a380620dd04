#!/bin/sh
# SPDX-License-Identifier: ISC
# Generate configure and Makefile.in; none of it is committed.
set -e
cd "$(dirname "$0")"
autoreconf --install --force

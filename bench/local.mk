EXTRA_DIST += bench/foundation.py
EXTRA_DIST += bench/control.py

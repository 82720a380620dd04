EXTRA_DIST += bench/foundation.py

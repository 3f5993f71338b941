"""The project's settings with the benchmark's plain-Django lists added (bench/baseline.py)."""

from manskonts.settings import *  # noqa: F403

ROOT_URLCONF = "bench.baseline"

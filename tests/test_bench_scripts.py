"""The benchmark scripts run with bench/ first on sys.path: one named like a standard-library
module hides that module from everything the script imports (bench/profile.py made `import
cProfile` load the script itself, and its cProfile fallback failed)."""

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"


def test_no_bench_script_hides_a_standard_library_module():
    names = {path.stem for path in BENCH.glob("*.py")}
    assert sorted(names & set(sys.stdlib_module_names)) == []

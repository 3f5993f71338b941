"""Profile one list page as `make bench` measures it (production settings, signed in, through the
WSGI handler with the whole middleware stack), N requests after a warm-up, with pyinstrument when
it is installed (`pip install -e ".[load]"`), else cProfile. Uses the benchmark database of one
scale (BENCH_SCALE, default 100000; `make bench` seeds it).

    nice -n 10 .venv/bin/python bench/profile_page.py [URL] [N]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else "/mans-konts/e-pakalpojumi/"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    run.production_env(run.scale_url(int(os.environ.get("BENCH_SCALE", "100000"))))
    run.setup_django()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    ours = run.Wsgi(WSGIHandler(), run.session_cookie())
    for _ in range(20):
        assert ours.get(url)[0] == 200
    print(f"{run.count_queries(ours, url)} queries a request:")
    executed = []
    with connection.execute_wrapper(
        lambda ex, sql, p, m, c: executed.append(sql) or ex(sql, p, m, c)
    ):
        ours.get(url)
    for sql in executed:
        print("  ", sql[:160])
    # This process's CPU per request, the page and its floor (bench/run.py): what the waits for
    # the database and a busy machine leave out.
    floor = run.install_floors()
    floor_url = run.capture_floor(ours, url)
    for label, http, target in (("page", ours, url), ("floor", floor, floor_url)):
        http.get(target)
        start, wall = time.process_time(), time.perf_counter()
        for _ in range(n):
            http.get(target)
        cpu_ms = (time.process_time() - start) * 1000 / n
        wall_ms = (time.perf_counter() - wall) * 1000 / n
        print(f"{label}: {cpu_ms:.2f} ms CPU, {wall_ms:.2f} ms wall a request ({n} requests)")
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        for _ in range(n):
            ours.get(url)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        return
    profiler = Profiler(interval=0.0002)
    profiler.start()
    for _ in range(n):
        ours.get(url)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()

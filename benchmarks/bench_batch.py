"""Many-layers benchmark (issue 16), on demand: ``python3 benchmarks/bench_batch.py [--runs N]`` (needs root).

One headless GIMP run per series (``HM_GIMP_SERIES=3.2`` limits it to one), the plug-in
installed by the real installer and pointed at the emulator on loopback. The image holds eight
photo layers (the photo of ``gimp_bench.py``, each a little brighter than the last, so the eight
uploads differ), as File ▸ Open as Layers makes them: once at 12 MP (4000x3000, a camera's) and
once at 3 MP (2000x1500).

* Wall time: Halloween Mask on all eight layers selected against the same filter on one of them,
  N rounds alternating which goes first, medians compared (target <= 1.5x). The emulator takes
  as long as the service does, scaled down by ``SCALE`` to keep the benchmark short: a task of
  10-30 s (each drawn uniformly, fixed seed) takes 5-15 s. Every run uses a style of its own, so
  no run can be served by an earlier one. Besides the ratio, each run's wall time over its
  longest task shows what the plug-in adds (the eight exports, one after another on GIMP's main
  thread, overlap the waits of the layers exported before them; "submits spread" is the time
  from the first submit to the last). The emulator renders each result in this process, on the
  same cores as GIMP, which a real service does not: at 12 MP that slows GIMP's exports.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from gimp_bench import HEIGHT, WIDTH, fresh_gimp, photo_png, print_walls, run_series, service_like, service_like_text
from gimp_runner import GimpRoot
from halloween_mask_emulator import Emulator

SCALE = 0.5  # emulator task times relative to the service's 10-30 s
LAYERS = 8
SIZES = ((WIDTH, HEIGHT), (2000, 1500))
TIME_TARGET = 1.5  # eight layers' wall time / one layer's


def bench(root: GimpRoot, runs: int, size: tuple[int, int], scale: float) -> bool:
    started = time.monotonic()
    files = {"photo.png": photo_png(size)}
    with fresh_gimp(root) as gimp, Emulator(service_like(16, scale)) as emu:
        params = {"runs": runs, "layers": LAYERS}
        report = gimp.batch("many_layers.py", gimp.env(emu), files, params, timeout=600 + 180 * runs).report
        tasks = sorted(emu.tasks.values(), key=lambda task: task.created)
    return summarise(report, tasks, runs, size, scale, time.monotonic() - started)


def summarise(report: dict, tasks: list, runs: int, size: tuple[int, int], scale: float, seconds: float) -> bool:
    remaining = iter(tasks)
    walls: dict[str, list[float]] = {"one": [], "eight": []}
    overheads: dict[str, list[float]] = {"one": [], "eight": []}
    spreads = []
    for run in report["runs"]:
        mine = [next(remaining) for _ in range(1 if run["kind"] == "one" else LAYERS)]
        longest = max(task.done_at - task.created for task in mine)
        walls[run["kind"]].append(run["seconds"])
        overheads[run["kind"]].append(run["seconds"] / longest)
        if run["kind"] == "eight":
            spreads.append(mine[-1].created - mine[0].created)
    one, eight = statistics.median(walls["one"]), statistics.median(walls["eight"])
    ratio = eight / one
    print(f"GIMP {report['gimp']}, {LAYERS} layers of {size[0]}x{size[1]}; {service_like_text(scale)}")
    for kind in ("one", "eight"):
        print_walls(f"{kind:5} layer(s)", walls[kind], overheads[kind])
    print(f"  submits spread (first to last) in the eight-layer runs: {', '.join(f'{s:.1f}' for s in spreads)} s")
    print(f"  eight / one: {ratio:.2f} (target <= {TIME_TARGET}) {'ok' if ratio <= TIME_TARGET else 'MISSED'}")
    print(f"  benchmark took {seconds:.0f} s ({runs} rounds)")
    return ratio <= TIME_TARGET


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="rounds of one run on one layer and one on eight")
    parser.add_argument("--scale", type=float, default=SCALE, help="the emulator's task times relative to 10-30 s")
    parser.add_argument("--small-only", action="store_true", help="only the 3 MP layers")
    args = parser.parse_args(argv)
    sizes = SIZES[1:] if args.small_only else SIZES
    return run_series(lambda root: all([bench(root, args.runs, size, args.scale) for size in sizes]))


if __name__ == "__main__":
    sys.exit(main())

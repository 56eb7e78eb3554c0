"""Variants and selections benchmark, run on demand: ``python3 benchmarks/bench_variants.py [--runs N]`` (needs root).

One headless GIMP run per series (``HM_GIMP_SERIES=3.2`` limits it to one), the plug-in
installed by the real installer and pointed at the emulator on loopback, on the 12 MP photo
of ``gimp_bench.py`` (4000x3000, a real photograph tiled, the portrait large in the middle):

* Wall time: Halloween Mask Variants with 4 styles against a single style's run, in the same
  GIMP session, N rounds alternating which goes first, medians compared (target <= 1.3x). The
  emulator takes as long as the service does, scaled down by ``SCALE`` to keep the benchmark
  short: a task of 10-30 s (each drawn uniformly, fixed seed) takes 5-15 s. The client's poll
  schedule (every 3.8 s) is not scaled, which adds the same rounding to both. Besides the
  ratio, each run's wall time over its longest task shows what the plug-in adds. Every run is a
  new paid request (``reuse`` FALSE), not the kept result of the last.
* Upload bytes: the layer with a rectangle selected over the face (the grown, clipped box is
  sent) against the whole layer, as the emulator received them.
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
STYLES = "3, 7, 12, 40"
SINGLE = "mask-5"
FACE_SELECTION = (1620, 690, 500, 520)  # x, y, w, h: the head of the portrait pasted in the middle
TIME_TARGET = 1.3  # variants wall time / single wall time
BYTES_TARGET = 0.2  # selected part's upload / whole layer's upload (not in the issue: a sanity bound)


def bench(root: GimpRoot, runs: int) -> bool:
    started = time.monotonic()
    files = {"photo.png": photo_png()}
    with fresh_gimp(root) as gimp, Emulator(service_like(8, SCALE)) as emu:
        params = {"runs": runs, "styles": STYLES, "single": SINGLE, "face": list(FACE_SELECTION)}
        report = gimp.batch("variants_timing.py", gimp.env(emu), files, params, timeout=600 + 120 * runs).report
        tasks = sorted(emu.tasks.values(), key=lambda task: task.created)
        uploads = [r.file_sizes["image"] for r in emu.requests_to("submit")][-2:]
    return summarise(report, tasks, uploads, runs, time.monotonic() - started)


def summarise(report: dict, tasks: list, uploads: list[int], runs: int, seconds: float) -> bool:
    count = len(STYLES.split(","))
    durations = iter(task.done_at - task.created for task in tasks)
    walls: dict[str, list[float]] = {"single": [], "variants": []}
    overheads: dict[str, list[float]] = {"single": [], "variants": []}
    for run in report["runs"]:
        longest = max(next(durations) for _ in range(1 if run["kind"] == "single" else count))
        walls[run["kind"]].append(run["seconds"])
        overheads[run["kind"]].append(run["seconds"] / longest)
    single, variants = statistics.median(walls["single"]), statistics.median(walls["variants"])
    ratio = variants / single
    whole, part = uploads
    region = report["regions"][1]
    print(f"GIMP {report['gimp']}, {WIDTH}x{HEIGHT} photo layer; {service_like_text(SCALE)}")
    for kind in ("single", "variants"):
        print_walls(f"{kind:8} ({SINGLE if kind == 'single' else STYLES})", walls[kind], overheads[kind])
    print(f"  variants / single: {ratio:.2f} (target <= {TIME_TARGET}) {'ok' if ratio <= TIME_TARGET else 'MISSED'}")
    print(
        f"  upload, whole layer: {whole:,} bytes; face selection {FACE_SELECTION[2]}x{FACE_SELECTION[3]} "
        f"sent as {region['width']}x{region['height']}: {part:,} bytes; ratio {part / whole:.3f}"
    )
    print(f"  benchmark took {seconds:.0f} s ({runs} rounds)")
    return ratio <= TIME_TARGET and part / whole <= BYTES_TARGET


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="rounds of one single run and one variants run")
    args = parser.parse_args(argv)
    return run_series(lambda root: bench(root, args.runs))


if __name__ == "__main__":
    sys.exit(main())

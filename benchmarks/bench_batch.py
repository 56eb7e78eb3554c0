"""Many-layers benchmark (issue 16), on demand: ``python3 benchmarks/bench_batch.py [--runs N]`` (needs root).

One headless GIMP run per series (``HM_GIMP_SERIES=3.2`` limits it to one), the plug-in
installed by the real installer and pointed at the emulator on loopback. The image holds eight
photo layers (the photo of ``bench_gimp.py``, each a little brighter than the last, so the eight
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
import io
import shutil
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.extend(str(Path(__file__).resolve().parents[1] / folder) for folder in ("tests/gimp", "tests"))

from bench_gimp import HEIGHT, WIDTH, photo_pixels, png_bytes
from gimp_runner import (
    SCRATCH_INSIDE,
    GimpRoot,
    Scratch,
    build_root,
    cannot_enter_root,
    install_profile,
    root_path,
    run_batch,
    selected_series,
)
from halloween_mask_emulator import Emulator, EmulatorConfig
from PIL import Image
from plugin_batch import PLUGIN_LIB, SECRET_KEY, plugin_env

SCALE = 0.5  # emulator task times relative to the service's 10-30 s
TASK_SECONDS = (10.0, 30.0)
QUEUED_SHARE = 0.1  # of a task's time spent queued (status 0) before processing (status 1)
LAYERS = 8
SIZES = ((WIDTH, HEIGHT), (2000, 1500))
TIME_TARGET = 1.5  # eight layers' wall time / one layer's

BENCH_RUN = r"""
RUNS, LAYERS = int(os.environ["HM_BENCH_RUNS"]), int(os.environ["HM_BENCH_LAYERS"])
image = hm_load("photo.png")
photo = image.get_layers()[0]
layers = [photo]
for number in range(1, LAYERS):
    layer = Gimp.Layer.new_from_drawable(photo, image)
    image.insert_layer(layer, None, 0)
    layer.brightness_contrast(0.01 * number, 0.0)  # a different picture: a different upload and task
    layer.set_name(f"photo {number + 1}")
    layers.append(layer)
image.clean_all()
report = {"gimp": Gimp.version(), "runs": []}
styles = iter(range(10, 86))


def timed(kind):
    chosen = layers if kind == "eight" else layers[:1]
    before = set(image.get_layers())
    start = time.monotonic()
    status = hm_call(PROC, image, chosen, mask_style=f"mask-{next(styles)}")
    seconds = time.monotonic() - start
    if status[0] != "success":
        raise RuntimeError(f"{kind}: {status}")
    made = [layer for layer in image.get_layers() if layer not in before]
    if len(made) != len(chosen):
        raise RuntimeError(f"{kind}: {len(made)} results for {len(chosen)} layers")
    for layer in made:
        image.remove_layer(layer)
    report["runs"].append({"kind": kind, "seconds": seconds})


for n in range(RUNS):
    for kind in (("one", "eight") if n % 2 == 0 else ("eight", "one")):
        timed(kind)
image.delete()
hm_write_report(report)
"""


def photo(size: tuple[int, int]) -> bytes:
    pixels = photo_pixels(2.5)
    if size == (WIDTH, HEIGHT):
        return png_bytes(pixels)
    out = io.BytesIO()
    Image.fromarray(pixels, "RGB").resize(size, Image.Resampling.LANCZOS).save(out, "PNG", compress_level=1)
    return out.getvalue()


def bench(root: GimpRoot, runs: int, size: tuple[int, int], scale: float) -> bool:
    started = time.monotonic()
    low, high = (seconds * scale for seconds in TASK_SECONDS)
    config = EmulatorConfig(
        api_keys={SECRET_KEY},
        queued_seconds=(low * QUEUED_SHARE, high * QUEUED_SHARE),
        processing_seconds=(low * (1 - QUEUED_SHARE), high * (1 - QUEUED_SHARE)),
        seed=16,
    )
    scratch = Scratch(root, f"{SCRATCH_INSIDE}/bench-{uuid.uuid4().hex[:10]}")
    scratch.host.mkdir(parents=True)
    try:
        profile = install_profile(scratch)
        with Emulator(config) as emu:
            env = plugin_env(
                emu.base_url,
                f"{profile.home_inside}/halloween-mask-settings.json",
                HM_BENCH_RUNS=str(runs),
                HM_BENCH_LAYERS=str(LAYERS),
            )
            files = {"photo.png": photo(size)}
            report = run_batch(root, profile, scratch, PLUGIN_LIB + BENCH_RUN, env, files, timeout=600 + 180 * runs)
            tasks = sorted(emu.tasks.values(), key=lambda task: task.created)
        return summarise(report.report, tasks, runs, size, scale, time.monotonic() - started)
    finally:
        shutil.rmtree(scratch.host, ignore_errors=True)


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
    print(
        f"GIMP {report['gimp']}, {LAYERS} layers of {size[0]}x{size[1]}; emulator tasks of {TASK_SECONDS[0]:g}-"
        f"{TASK_SECONDS[1]:g} s scaled by {scale:g}"
    )
    for kind in ("one", "eight"):
        each = ", ".join(f"{s:.1f}" for s in walls[kind])
        over = ", ".join(f"{s:.2f}" for s in overheads[kind])
        print(
            f"  {kind:5} layer(s): median {statistics.median(walls[kind]):.1f} s "
            f"(runs: {each}; each over its longest task: {over})"
        )
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
    reason = cannot_enter_root()
    if reason:
        print(f"cannot run GIMP in the root: {reason}", file=sys.stderr)
        return 2
    roots = [build_root(series, root_path(series)) for series in selected_series()]
    sizes = SIZES[1:] if args.small_only else SIZES
    met = [bench(root, args.runs, size, args.scale) for root in roots for size in sizes]
    return 0 if all(met) else 1


if __name__ == "__main__":
    sys.exit(main())

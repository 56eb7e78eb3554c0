"""Gallery benchmark, run on demand: ``python3 benchmarks/bench_gallery.py [--runs N]`` (needs root).

How long the dialog takes to appear with the style gallery, against GIMP's generated dialog
without it, and how long until all 85 tiles show their pictures. For each GIMP series (default
3.2 only; ``HM_GIMP_SERIES=3.0,3.2`` for both) a full GIMP runs under Xvfb in its root, the
plug-in installed by the real installer and pointed at the emulator on loopback (its previews,
256 px JPEGs, are served at once). The batch code opens the dialog through the PDB
(``RUN_INTERACTIVE``) and the host closes it with Escape once it is drawn (and, with the
gallery, once every picture is in):

* plain: ``HALLOWEEN_MASK_DIALOG=plain``, the generated dialog (the baseline);
* cold: the gallery with the preview cache emptied before the opening (85 fetches);
* warm: the gallery with every preview in the cache.

The plain dialog needs another GIMP session (plug-ins take GIMP's environment), so the two
sessions run back to back; cold and warm alternate within one. Times are from the batch code's
call (the procedure's start: plug-in process, imports, dialog) to the dialog's first frame and
to the last picture, on the shared monotonic clock, written by the plug-in to
``HALLOWEEN_MASK_TIMINGS``. Medians are compared; targets: warm <= 1.3x plain, all pictures
cold <= 3 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys

from gimp_bench import dialog_session, fresh_gimp, run_series, served
from gimp_runner import GimpRoot
from halloween_mask_emulator import Emulator

WARM_TARGET = 1.3  # warm gallery dialog / plain dialog
PICTURES_TARGET = 3.0  # seconds until all 85 pictures show, cold
PROC = "python-fu-halloween-mask"
TITLE = "^Halloween Mask$"


def _session(root: GimpRoot, emu: Emulator, kinds: list[str], plain: bool) -> list[dict]:
    """One GIMP session opening the dialog once per entry of ``kinds`` ("cold" or "warm")."""
    with fresh_gimp(root, "bench-gallery") as gimp:
        env = gimp.env(emu, timings=True, XDG_CACHE_HOME=f"{gimp.profile.home_inside}/cache")
        if plain:
            env["HALLOWEEN_MASK_DIALOG"] = "plain"

        def empty_cache(kind: str) -> None:
            if kind == "cold":
                shutil.rmtree(gimp.home / "cache", ignore_errors=True)

        openings = [("plain" if plain else kind, PROC, TITLE) for kind in kinds]
        return dialog_session(gimp, env, openings, empty_cache)


def bench(root: GimpRoot, runs: int) -> bool:
    with Emulator(served()) as emu:
        plain = _session(root, emu, ["plain"] * (runs + 1), plain=True)[1:]  # the first warms GIMP up
        gallery = _session(root, emu, ["cold"] + ["cold", "warm"] * runs, plain=False)[1:]
    shown = {kind: [r["shown"] for r in plain + gallery if r["kind"] == kind] for kind in ("plain", "cold", "warm")}
    median = {kind: statistics.median(times) for kind, times in shown.items()}
    cold_pictures = [r["pictures"] for r in gallery if r["kind"] == "cold"]
    warm_pictures = [r["pictures"] for r in gallery if r["kind"] == "warm"]
    all_shown = all(r["pictures_shown"] == 85 for r in gallery)
    warm_ratio, cold_ratio = median["warm"] / median["plain"], median["cold"] / median["plain"]
    print(f"GIMP {root.series}, {runs} runs each (medians; procedure start -> first frame of the dialog):")
    for kind in ("plain", "cold", "warm"):
        print(f"  {kind:<5} dialog shown  {median[kind]:.3f} s   ({', '.join(f'{t:.3f}' for t in shown[kind])})")
    print(f"  warm / plain = {warm_ratio:.2f}x (target <= {WARM_TARGET}x), cold / plain = {cold_ratio:.2f}x")
    print(
        f"  all 85 pictures shown: cold {statistics.median(cold_pictures):.3f} s (target <= {PICTURES_TARGET} s), "
        f"warm {statistics.median(warm_pictures):.3f} s; every opening showed all 85: {all_shown}"
    )
    return warm_ratio <= WARM_TARGET and statistics.median(cold_pictures) <= PICTURES_TARGET and all_shown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed openings of each kind (after one warm-up)")
    args = parser.parse_args(argv)
    return run_series(lambda root: bench(root, args.runs), default=["3.2"])


if __name__ == "__main__":
    sys.exit(main())

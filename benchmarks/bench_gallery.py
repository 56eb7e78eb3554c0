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
import json
import os
import shutil
import statistics
import sys
import time
import uuid
from pathlib import Path

# The test suite's support modules (the emulator fixtures, the GIMP harness) serve the benchmarks too.
sys.path.extend(str(Path(__file__).resolve().parents[1] / folder) for folder in ("tests/gimp", "tests"))


from gimp_runner import (
    SCRATCH_INSIDE,
    GimpRoot,
    GuiSession,
    Scratch,
    build_root,
    cannot_enter_root,
    install_profile,
    root_path,
    selected_series,
    start_gui,
)
from halloween_mask_emulator import Emulator, EmulatorConfig
from plugin_batch import PLUGIN_LIB, PORTRAIT, SECRET_KEY, plugin_env

WARM_TARGET = 1.3  # warm gallery dialog / plain dialog
PICTURES_TARGET = 3.0  # seconds until all 85 pictures show, cold

# Runs inside GIMP: opens the dialog once per "go-<n>" flag, recording when it asked.
BENCH_SESSION = (
    PLUGIN_LIB
    + r"""
image = hm_load("portrait.png")
Gimp.Display.new(image)
Gimp.displays_flush()
proc = Gimp.get_pdb().lookup_procedure(PROC)
asked = []
hm_write_report({"asked": asked})
for n in range(int(os.environ["HM_BENCH_OPENINGS"])):
    hm_wait_flag(f"go-{n}")
    config = proc.create_config()
    config.set_property("run-mode", Gimp.RunMode.INTERACTIVE)
    config.set_property("image", image)
    config.set_core_object_array("drawables", image.get_layers())
    asked.append(time.monotonic())
    proc.run(config)  # until the host presses Escape
    hm_write_report({"asked": asked})
hm_wait_flag("quit")
"""
)


def _events(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _session(root: GimpRoot, emu: Emulator, openings: list[str], plain: bool) -> list[dict]:
    """One GIMP session opening the dialog once per entry of ``openings`` ("cold" or "warm")."""
    scratch = Scratch(root, f"{SCRATCH_INSIDE}/bench-gallery-{uuid.uuid4().hex[:10]}")
    scratch.host.mkdir(parents=True)
    try:
        profile = install_profile(scratch)
        home = profile.dir.host / "home"
        timings, cache = home / "timings.jsonl", home / "cache"
        env = plugin_env(
            emu.base_url,
            f"{profile.home_inside}/settings.json",
            HALLOWEEN_MASK_TIMINGS=f"{profile.home_inside}/timings.jsonl",
            XDG_CACHE_HOME=f"{profile.home_inside}/cache",
            HM_BENCH_OPENINGS=str(len(openings)),
            **({"HALLOWEEN_MASK_DIALOG": "plain"} if plain else {}),
        )
        session = start_gui(root, profile, scratch, BENCH_SESSION, env, {"portrait.png": PORTRAIT})
        results = []
        try:
            session.image_window(timeout=120)
            time.sleep(2)
            for n, kind in enumerate(openings):
                if kind == "cold":
                    shutil.rmtree(cache, ignore_errors=True)
                results.append(_open(session, timings, n, "plain" if plain else kind))
        finally:
            session.close()
        return results
    finally:
        shutil.rmtree(scratch.host, ignore_errors=True)


def _open(session: GuiSession, timings: Path, n: int, kind: str) -> dict:
    """Ask the batch code for opening ``n``, wait until it is drawn (and its pictures are in), press Escape."""
    seen = len(_events(timings))
    wanted = "dialog-shown" if kind == "plain" else "pictures"
    session.flag(f"go-{n}")
    session.wait_for(lambda: any(e["event"] == wanted for e in _events(timings)[seen:]), f"opening {n}", 60, 0.05)
    events = {e["event"]: e for e in _events(timings)[seen:]}
    session.key("Escape", wid=session.find_window("^Halloween Mask$", timeout=10), delay=0.2)
    session.wait_for(lambda: len(session.report().get("asked", [])) > n, f"closing {n}", 30, 0.05)
    asked = session.report()["asked"][n]
    result = {"kind": kind, "shown": events["dialog-shown"]["at"] - asked}
    if "pictures" in events:
        result["pictures"] = events["pictures"]["at"] - asked
        result["pictures_shown"] = events["pictures"]["shown"]
    return result


def bench(root: GimpRoot, runs: int) -> bool:
    with Emulator(EmulatorConfig(api_keys={SECRET_KEY})) as emu:
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
    reason = cannot_enter_root()
    if reason:
        print(f"cannot run GIMP in the root: {reason}", file=sys.stderr)
        return 2
    series = selected_series() if os.environ.get("HM_GIMP_SERIES") else ["3.2"]
    met = [bench(build_root(s, root_path(s)), args.runs) for s in series]
    return 0 if all(met) else 1


if __name__ == "__main__":
    sys.exit(main())

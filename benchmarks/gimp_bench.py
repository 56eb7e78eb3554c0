"""What the GIMP benchmarks share: the test harness, a root per series, a profile with the plug-in, the photo.

Each GIMP benchmark runs a script of ``benchmarks/inside/`` in a real GIMP (headless or under
Xvfb) through ``tests/gimp/gimp_runner``, with ``tests/gimp/inside``'s helpers beside it; what
the host passes it arrives as ``params`` (``hm_params()`` inside GIMP).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

# The test suite's support modules (the emulator fixtures, the GIMP harness) serve the benchmarks too.
sys.path.extend(str(Path(__file__).resolve().parents[1] / folder) for folder in ("tests/gimp", "tests"))

import numpy as np
from gimp_runner import (
    SCRATCH_INSIDE,
    BatchResult,
    GimpProfile,
    GimpRoot,
    Scratch,
    build_root,
    cannot_enter_root,
    install_profile,
    root_path,
    run_batch,
    selected_series,
)
from gui_runner import GuiSession, start_gui
from halloween_mask_emulator import Emulator, EmulatorConfig
from PIL import Image
from plugin_batch import PORTRAIT, SECRET_KEY, plugin_env

INSIDE = Path(__file__).resolve().parent / "inside"  # the benchmarks' GIMP-side scripts
WIDTH, HEIGHT = 4000, 3000  # the photo: 12 MP, a camera's
TASK_SECONDS = (10.0, 30.0)  # how long the service takes for a task
QUEUED_SHARE = 0.1  # of a task's time spent queued (status 0) before processing (status 1)


def run_series(bench: Callable[[GimpRoot], bool], default: list[str] | None = None) -> int:
    """Run ``bench`` on each selected series (``HM_GIMP_SERIES``, else ``default``, else all).

    Exit status: 0 when every run met its targets, 1 when one missed, 2 when no root can be entered.
    """
    reason = cannot_enter_root()
    if reason:
        print(f"cannot run GIMP in the root: {reason}", file=sys.stderr)
        return 2
    series = default if default and not os.environ.get("HM_GIMP_SERIES") else selected_series()
    met = [bench(build_root(s, root_path(s))) for s in series]
    return 0 if all(met) else 1


def service_like(seed: int, scale: float) -> EmulatorConfig:
    """The emulator taking as long as the service (tasks of 10-30 s, drawn uniformly), scaled by ``scale``."""
    low, high = (seconds * scale for seconds in TASK_SECONDS)
    return EmulatorConfig(
        api_keys={SECRET_KEY},
        queued_seconds=(low * QUEUED_SHARE, high * QUEUED_SHARE),
        processing_seconds=(low * (1 - QUEUED_SHARE), high * (1 - QUEUED_SHARE)),
        seed=seed,
    )


def service_like_text(scale: float) -> str:
    """How ``service_like(seed, scale)`` answers, for a benchmark's heading."""
    return f"emulator tasks of {TASK_SECONDS[0]:g}-{TASK_SECONDS[1]:g} s scaled by {scale:g}"


def print_walls(label: str, walls: list[float], overheads: list[float]) -> None:
    """One kind of run: its median wall time, each run's, and each over its longest task."""
    each = ", ".join(f"{s:.1f}" for s in walls)
    over = ", ".join(f"{s:.2f}" for s in overheads)
    print(f"  {label}: median {statistics.median(walls):.1f} s (runs: {each}; each over its longest task: {over})")


def instant() -> EmulatorConfig:
    """The emulator with no queue or processing time."""
    return EmulatorConfig(api_keys={SECRET_KEY}, queued_seconds=0.0, processing_seconds=0.0)


def served() -> EmulatorConfig:
    """The emulator with its default task times."""
    return EmulatorConfig(api_keys={SECRET_KEY})


@dataclass
class BenchGimp:
    """One benchmark's GIMP: its root, a scratch folder there, a profile with the plug-in from the real installer."""

    root: GimpRoot
    scratch: Scratch
    profile: GimpProfile

    @property
    def home(self) -> Path:
        """The profile's HOME on the host."""
        return self.scratch.host / "home"

    def env(self, emu: Emulator, timings: bool = False, **extra: str) -> dict[str, str]:
        """GIMP's environment for the plug-in against ``emu``; with ``timings``, it logs timings to HOME."""
        if timings:
            extra["HALLOWEEN_MASK_TIMINGS"] = f"{self.profile.home_inside}/timings.jsonl"
        return plugin_env(emu.base_url, f"{self.profile.home_inside}/settings.json", **extra)

    def batch(
        self, script: str, env: Mapping[str, str], files: Mapping[str, bytes], params: dict, timeout: float
    ) -> BatchResult:
        """Run ``benchmarks/inside/<script>`` in gimp-console."""
        return run_batch(self.root, self.profile, self.scratch, INSIDE / script, env, files, timeout, params=params)

    def gui(self, script: str, env: Mapping[str, str], files: Mapping[str, bytes | Path], params: dict) -> GuiSession:
        """Start a full GIMP under Xvfb running ``benchmarks/inside/<script>``."""
        return start_gui(self.root, self.profile, self.scratch, INSIDE / script, env, files, params=params)


@contextlib.contextmanager
def fresh_gimp(root: GimpRoot, name: str = "bench") -> Iterator[BenchGimp]:
    """A fresh scratch folder and profile in ``root``, removed afterwards."""
    scratch = Scratch(root, f"{SCRATCH_INSIDE}/{name}-{uuid.uuid4().hex[:10]}")
    scratch.host.mkdir(parents=True)
    try:
        yield BenchGimp(root, scratch, install_profile(scratch))
    finally:
        shutil.rmtree(scratch.host, ignore_errors=True)


# --- the dialog benchmarks (gallery, history): open a dialog, wait until it is drawn, Escape --------------------


def events(path: Path) -> list[dict]:
    """The plug-in's timing events so far (``HALLOWEEN_MASK_TIMINGS``)."""
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def dialog_session(
    gimp: BenchGimp,
    env: Mapping[str, str],
    openings: list[tuple[str, str, str]],
    before: Callable[[str], None] = lambda kind: None,
) -> list[dict]:
    """One GIMP session opening a dialog per ``(kind, procedure, title regex)`` of ``openings``.

    ``before(kind)`` runs ahead of each opening. Per opening: when its first frame showed, and
    (but for "plain") when its last picture did and how many it showed, from the procedure's call.
    """
    params = {"procedures": [procedure for _kind, procedure, _title in openings]}
    session = gimp.gui("dialog_openings.py", env, {"portrait.png": PORTRAIT}, params)
    results = []
    try:
        session.image_window(timeout=120)
        time.sleep(2)
        for n, (kind, _procedure, title) in enumerate(openings):
            before(kind)
            results.append(_open(session, gimp.home / "timings.jsonl", n, kind, title))
    finally:
        session.close()
    return results


def _open(session: GuiSession, timings: Path, n: int, kind: str, title: str) -> dict:
    """Ask the GIMP side for opening ``n``, wait until it is drawn (and its pictures are in), press Escape."""
    seen = len(events(timings))
    wanted = "dialog-shown" if kind == "plain" else "pictures"
    session.flag(f"go-{n}")
    session.wait_for(lambda: any(e["event"] == wanted for e in events(timings)[seen:]), f"opening {n}", 120, 0.05)
    shown = {e["event"]: e for e in events(timings)[seen:]}
    session.key("Escape", wid=session.find_window(title, timeout=10), delay=0.2)
    session.wait_for(lambda: len(session.report().get("asked", [])) > n, f"closing {n}", 30, 0.05)
    asked = session.report()["asked"][n]
    result = {"kind": kind, "shown": shown["dialog-shown"]["at"] - asked}
    if "pictures" in shown:
        result["pictures"] = shown["pictures"]["at"] - asked
        result["pictures_shown"] = shown["pictures"]["shown"]
    return result


# --- the photo ---------------------------------------------------------------------------------------------------


def photo_pixels(noise: float, seed: int = 0) -> np.ndarray:
    """A 4000x3000 RGB "photo" from a real photograph, with sensor-like noise.

    The NASA astronaut portrait (``tests/data``) upscaled 2x and mirror-tiled, the portrait
    pasted large in the middle (so the emulator finds a face), plus i.i.d. Gaussian noise of
    sigma ``noise`` per channel (on 0-255).
    """
    portrait = Image.open(PORTRAIT).convert("RGB")
    tile = np.asarray(portrait.resize((portrait.width * 2, portrait.height * 2), Image.Resampling.LANCZOS))
    block = np.concatenate(
        [np.concatenate([tile, tile[:, ::-1]], 1), np.concatenate([tile[::-1], tile[::-1, ::-1]], 1)]
    )
    reps = (-(-HEIGHT // block.shape[0]), -(-WIDTH // block.shape[1]), 1)
    canvas = np.tile(block, reps)[:HEIGHT, :WIDTH].copy()
    side = min(WIDTH, HEIGHT) * 2 // 3
    x, y = (WIDTH - side) // 2, (HEIGHT - side) // 2
    canvas[y : y + side, x : x + side] = np.asarray(portrait.resize((side, side), Image.Resampling.LANCZOS))
    grain = np.random.default_rng(seed).normal(0.0, noise, canvas.shape).astype(np.float32)
    return np.clip(canvas + grain + 0.5, 0, 255).astype(np.uint8)


def png_bytes(pixels: np.ndarray, size: tuple[int, int] | None = None) -> bytes:
    """The pixels as a fast lossless PNG (resized to ``size`` first if given)."""
    image = Image.fromarray(pixels, "RGB")
    if size is not None and size != image.size:
        image = image.resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()


def photo_png(size: tuple[int, int] = (WIDTH, HEIGHT), noise: float = 2.5) -> bytes:
    """The photo (see ``photo_pixels``) as a PNG of ``size``."""
    return png_bytes(photo_pixels(noise), size)

"""History benchmark, run on demand: ``python benchmarks/bench_history.py [--runs N] [--fast]``.

A reused result against a fresh run of the same 12 MP request (4000x3000 JPEG), through
``Client.apply`` with the user's ledger (pending store and history in a temporary folder), against
the emulator on loopback with its realistic timing (1-5 s queued, 10-40 s processing; ``--fast``:
none, which shows the client's own cost). Fresh runs (``reuse=False``) and re-uses alternate; the
medians and their ratio are printed, with what the reuse reads (the history's SQLite file).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import numpy as np
from halloween_mask import Client, History, Ledger, PendingTasks
from halloween_mask_emulator import Emulator, EmulatorConfig
from PIL import Image

KEY = "bench-key"
PORTRAIT = Path(__file__).resolve().parents[1] / "tests" / "data" / "portrait-astronaut.png"


def photo(width: int = 4000, height: int = 3000) -> bytes:
    """A 12 MP JPEG stand-in: noise over a gradient, the test portrait pasted in the middle (a face)."""
    rng = np.random.default_rng(0)
    x = np.linspace(0, 1, width, dtype=np.float32)[None, :, None]
    base = 255 * (0.3 + 0.5 * x * np.array([1.0, 0.6, 0.3]))
    pixels = np.clip(base + rng.normal(0, 18, (height, width, 3)), 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels, "RGB")
    side = min(width, height) * 2 // 3
    image.paste(Image.open(PORTRAIT).convert("RGB").resize((side, side)), ((width - side) // 2, (height - side) // 2))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh runs and re-uses each (default: %(default)s)")
    parser.add_argument("--fast", action="store_true", help="no queue or processing time at the emulator")
    args = parser.parse_args(argv)
    image = photo()
    config = EmulatorConfig(api_keys={KEY}) if args.fast else EmulatorConfig.realistic(api_keys={KEY})
    with tempfile.TemporaryDirectory() as folder, Emulator(config) as emulator:
        ledger = Ledger(PendingTasks(Path(folder) / "pending.json"), History(Path(folder) / "history"))
        client = Client(KEY, emulator.base_url, deadline=300)
        fresh, reused = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            made = client.apply(image, mask_style=7, ledger=ledger, reuse=False)
            fresh.append(time.perf_counter() - start)
            start = time.perf_counter()
            again = client.apply(image, mask_style=7, ledger=ledger)
            reused.append(time.perf_counter() - start)
            assert again.reused and again.images == made.images
        submits = len(emulator.requests_to("submit"))
        count, size = ledger.history.usage()
    print(
        f"12 MP request ({len(image) / 1e6:.1f} MB JPEG), result {len(made.images[0]) / 1e6:.1f} MB, {args.runs} runs"
    )
    print(f"  emulator timing: {'none (--fast)' if args.fast else 'realistic (1-5 s queued, 10-40 s processing)'}")
    print(f"  fresh run:  median {statistics.median(fresh):8.3f} s  ({', '.join(f'{t:.2f}' for t in fresh)})")
    print(f"  re-used:    median {statistics.median(reused):8.3f} s  ({', '.join(f'{t:.3f}' for t in reused)})")
    print(f"  ratio re-used / fresh: {statistics.median(reused) / statistics.median(fresh):.4f}x")
    print(f"  submits: {submits} (one per fresh run); history: {count} entries, {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

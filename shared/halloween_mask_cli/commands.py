"""``halloween-mask fetch``, ``styles``, ``check``, ``set-key`` and ``emulator``."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import signal
import sys
from pathlib import Path

from halloween_mask import CREDITS_PER_MASK, STYLE_COUNT, STYLES, PreviewFetcher, load_settings, masks_left
from halloween_mask.config import ENV_BASE, ENV_KEY, save_api_key
from halloween_mask.ledger import Ledger
from halloween_mask.previews import PreviewCache, preview_base, preview_url

from .errors import UsageError
from .output import names_a_file, refuse_files_in_the_way, refused_note, write_results
from .session import open_client, say


def fetch(args: argparse.Namespace) -> int:
    if not names_a_file(args.output):
        raise UsageError(f"-o {args.output}: name the output file .png, .jpg/.jpeg or .webp")
    target = Path(args.output)
    refuse_files_in_the_way(target.parents, target)
    with open_client(offline=False, offline_hint=False, deadline=args.deadline) as client:
        result = client.collect(args.task_id)
    result = Ledger.for_user().keep_fetched(result, target.name)  # safe before the write: a failed write loses nothing
    written, _ = write_results(result.images, target)
    if result.refused:
        say(f"{args.task_id}: {refused_note(result)}")
    say(f"{args.task_id} -> {', '.join(map(str, written))}")
    return 0


def list_styles(args: argparse.Namespace) -> int:
    base = preview_base()
    if args.download is not None:
        return _download_previews(base, args.download)
    if args.json:
        listing = [{"style": s.number, "label": s.label, "preview": preview_url(s.number, base)} for s in STYLES]
        print(json.dumps(listing, indent=1))
    else:
        for s in STYLES:
            print(f"{s.number:3d}  {s.label:<8}  {preview_url(s.number, base)}")
    return 0


def _download_previews(base: str, folder: Path) -> int:
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is not a folder")
    fetcher = PreviewFetcher(base, PreviewCache(folder, owned=False))  # the user's folder: their files stay
    try:
        report = fetcher.fetch_all()
    finally:
        fetcher.close()
    for number, reason in sorted(report.failed.items()):
        say(f"style {number}: {reason}")
    have = len(report.cached) + len(report.fetched)
    say(f"{have} of {STYLE_COUNT} previews in {folder} ({len(report.fetched)} downloaded from {base})")
    return 0 if not report.failed else 1


def check(args: argparse.Namespace) -> int:
    if args.offline:
        with open_client(offline=True) as client:
            client.credits()
        print("offline:   the built-in emulator answers (no key, no network, nothing charged; its masks are stand-ins)")
        return 0
    settings = load_settings()
    print(f"endpoint:  {settings.base_url}" + (f" (from {ENV_BASE})" if ENV_BASE in os.environ else ""))
    print(f"API key:   {'set, from ' + settings.source if settings.api_key else 'not set'}")
    with open_client(offline=False, settings=settings) as client:
        pools = client.credits()
    print("connection: ok, the key was accepted")
    for pool in pools:
        print(f"credits:   {pool.balance:g} ({pool.name or pool.unique_sign})")
    print(f"masks:     about {masks_left(pools):,} left, at {CREDITS_PER_MASK} credits each")
    return 0


def set_key(args: argparse.Namespace) -> int:
    key = getpass.getpass("AILabTools API key (input hidden): ") if sys.stdin.isatty() else sys.stdin.readline()
    path = save_api_key(key)
    say(f"Saved to {path} (readable only by you). Check it with: halloween-mask check")
    return 0


def run_emulator(args: argparse.Namespace) -> int:
    from halloween_mask_emulator import EmulatorConfig, serve_forever  # Werkzeug, OpenCV: only when asked for

    options = {"credits": args.credits}
    options.update({"api_keys": tuple(args.key)} if args.key else {"accept_any_key": True})
    config = EmulatorConfig.realistic(**options) if args.realistic else EmulatorConfig(**options)
    say(
        f"Emulator on http://127.0.0.1:{args.port} (Ctrl+C to stop). Point clients at it with:\n"
        f"  export {ENV_BASE}=http://127.0.0.1:{args.port} {ENV_KEY}={args.key[0] if args.key else 'any-key'}"
    )
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl+C
    serve_forever(config, port=args.port)
    say("Emulator stopped.")
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt

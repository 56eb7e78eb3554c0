"""The ``halloween-mask`` command: apply masks to photos, list styles, check the set-up, run the emulator.

halloween-mask apply portrait.jpg --style 7 -o spooky.png
halloween-mask apply *.jpg --template mask.png --aspect-ratio 1:1 -o out/
halloween-mask apply portrait.jpg --style 7 --offline -o spooky.png   # no key, no network
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import io
import json
import math
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .client import DEFAULT_DEADLINE, CancelToken, Client, Progress
from .config import ENV_BASE, ENV_KEY, load_settings, save_api_key
from .errors import CancelledError, DeadlineExceededError, HalloweenMaskError
from .imageformat import sniff_format
from .pending import PendingTasks
from .previews import PreviewCache, PreviewFetcher, preview_base, preview_url
from .styles import ASPECT_RATIOS, STYLE_COUNT, STYLES, style

OFFLINE_KEY = "offline-emulator-key"
WRITABLE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp"}
# Image files -o cannot produce: refused rather than PNG bytes under a misleading name.
OTHER_IMAGE_SUFFIXES = {".tif", ".tiff", ".bmp", ".gif", ".heic", ".heif", ".avif", ".jxl", ".jp2", ".ico", ".psd"}
DEFAULT_JOBS = 3  # the vendor suggests starting with low concurrency


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failed, 2 usage, 130 interrupted)."""
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except UsageError as error:
        _say(f"halloween-mask: {error}")
        return 2
    except (HalloweenMaskError, OutputError) as error:
        _say(f"halloween-mask: {error}")
        return 1
    except KeyboardInterrupt:
        _say("halloween-mask: interrupted")
        return 130


class UsageError(Exception):
    """The command line asks for something impossible (a missing file, -o that cannot work ...)."""


class OutputError(Exception):
    """A result could not be saved; str() names the file and the reason."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="halloween-mask", description="Spooky Halloween masks on portraits, with the AILabTools API."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    apply = commands.add_parser("apply", help="put a Halloween mask on one or more portraits")
    apply.add_argument("inputs", nargs="+", type=Path, metavar="IN", help="portrait files (JPEG, PNG, WEBP ...)")
    look = apply.add_mutually_exclusive_group(required=True)
    look.add_argument("--style", type=_style_number, metavar="N", help=f"mask style 1-{STYLE_COUNT}")
    look.add_argument("--template", type=Path, metavar="FILE", help="a reference mask image instead of a style")
    apply.add_argument("--aspect-ratio", choices=ASPECT_RATIOS, default="auto", help="output aspect ratio")
    apply.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="OUT",
        help="output file (one input) or folder (several inputs)",
    )
    apply.add_argument("-j", "--jobs", type=_whole_number(1), default=DEFAULT_JOBS, help="images in flight at once")
    apply.add_argument(
        "--deadline",
        type=_seconds,
        default=DEFAULT_DEADLINE,
        metavar="SECONDS",
        help="give up waiting for a task after this long",
    )
    _add_offline(apply)
    apply.set_defaults(run=_apply)

    fetch = commands.add_parser("fetch", help="download the result of a task submitted earlier (within 24 h)")
    fetch.add_argument("task_id")
    fetch.add_argument("-o", "--output", type=Path, required=True, metavar="OUT", help="output file")
    fetch.set_defaults(run=_fetch)

    styles = commands.add_parser("styles", help="list the mask styles and their preview images")
    styles.add_argument("--json", action="store_true", help="machine-readable output")
    styles.add_argument("--download", type=Path, metavar="DIR", help="save the 85 preview pictures (N.jpg) in DIR")
    styles.set_defaults(run=_styles)

    check = commands.add_parser("check", help="check the API key, the connection and the credits left")
    _add_offline(check)
    check.set_defaults(run=_check)

    set_key = commands.add_parser("set-key", help="save your API key in the settings file (readable only by you)")
    set_key.set_defaults(run=_set_key)

    emulator = commands.add_parser("emulator", help="run the local emulator of the API on 127.0.0.1")
    emulator.add_argument("--port", type=_whole_number(1, 65535), default=8765)
    emulator.add_argument(
        "--key",
        action="append",
        default=[],
        metavar="KEY",
        help="an API key the emulator accepts (repeatable; default: any key)",
    )
    emulator.add_argument("--realistic", action="store_true", help="take tens of seconds per task, like the service")
    emulator.add_argument("--credits", type=_whole_number(0), default=10_000, help="the account's credit balance")
    emulator.set_defaults(run=_emulator)
    return parser


def _add_offline(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--offline", action="store_true", help="use a local emulator of the API instead of the service (no key needed)"
    )


def _style_number(text: str) -> int:
    try:
        return style(int(text)).number
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"choose a style from 1 to {STYLE_COUNT} (see: halloween-mask styles)"
        ) from None


def _seconds(text: str) -> float:
    """argparse type: a finite number of seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, not {text!r}")
    return value


def _whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """argparse type: an integer from ``low`` to ``high`` (no upper bound when None)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if value < low or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f"of at least {low}"
            raise argparse.ArgumentTypeError(f"expected a whole number {bounds}, not {text!r}")
        return value

    return parse


# -- apply ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    source: Path
    target: Path


def _apply(args: argparse.Namespace) -> int:
    jobs = _plan(args.inputs, args.output, "template" if args.template else f"mask{args.style}")
    template = _read_upload(args.template, "template") if args.template else None
    cancel = CancelToken()
    pending = None if args.offline else PendingTasks.beside_settings()
    with _client(args.offline, deadline=args.deadline) as client, _ProgressBar(len(jobs)) as bar:

        def run(job: _Job) -> bool:
            try:
                image = _read_upload(job.source, "image", bar.note)
                result = client.apply(
                    image,
                    mask_style=args.style,
                    template=template,
                    aspect_ratio=args.aspect_ratio,
                    cancel=cancel,
                    on_progress=lambda p: bar.update(job.source.name, p),
                    pending=pending,
                )
                written = _write_results(result.images, job.target)
                if result.resumed:
                    bar.note(f"{job.source}: collected task {result.task_id} from an earlier run (not paid again)")
            except (CancelledError, DeadlineExceededError) as error:
                bar.note(f"{job.source}: {error}" + _resume_hint(error.task_id, job.target))
                return False
            except OutputError as error:
                bar.note(f"{job.source}: {error}" + _paid_hint(result.task_id, job.target))
                return False
            except HalloweenMaskError as error:
                bar.note(f"{job.source}: {error}")
                return False
            finally:
                bar.finished(job.source.name)
            bar.note(f"{job.source} -> {', '.join(map(str, written))}")
            return True

        pool = ThreadPoolExecutor(max_workers=args.jobs, thread_name_prefix="apply")
        try:
            outcomes = list(pool.map(run, jobs))
        except KeyboardInterrupt:
            cancel.cancel()  # every wait stops at once; submitted tasks can be fetched later
            raise
        finally:
            pool.shutdown(wait=True)
    return 0 if all(outcomes) else 1


def _plan(inputs: Sequence[Path], output: Path, tag: str) -> list[_Job]:
    """One job per input: ``-o`` is the file for a single input, else a folder for all of them."""
    missing = [str(p) for p in inputs if not p.is_file()]
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}")
    _refuse_unwritable_format(output, folder_ok=True)
    if not output.is_dir() and output.suffix.lower() in WRITABLE_SUFFIXES:
        if len(inputs) > 1:
            raise UsageError("with several inputs, -o must be a folder")
        return [_Job(inputs[0], output)]
    stems = [p.stem for p in inputs]
    clashes = {s for s in stems if stems.count(s) > 1}
    if clashes:
        raise UsageError(f"several inputs are named {', '.join(sorted(clashes))}; rename them")
    return [_Job(p, output / f"{p.stem}.{tag}.png") for p in inputs]


def _refuse_unwritable_format(output: Path, folder_ok: bool) -> None:
    """A UsageError when ``-o`` names an image file of a format the results cannot be saved as."""
    suffix = output.suffix.lower()
    if suffix in OTHER_IMAGE_SUFFIXES and not output.is_dir():
        alternative = " (or a folder)" if folder_ok else ""
        raise UsageError(f"cannot write {suffix} files: use .png, .jpg/.jpeg or .webp{alternative} for -o")


def _read_upload(path: Path, role: str, notice: Callable[[str], None] | None = None) -> bytes:
    """The file's bytes, fitted to the service's limits (with a notice) when needed."""
    from .fitting import fit_for_upload  # Pillow: the command line only

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    fitted = fit_for_upload(data)
    if fitted.notice:
        (notice or _say)(f"{path} ({role}): {fitted.notice}")
    return fitted.data


def _write_results(images: Sequence[bytes], target: Path) -> list[Path]:
    """Save each result; a second and later result get ``-2``, ``-3`` ... before the suffix."""
    written = []
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        for number, data in enumerate(images, start=1):
            path = target if number == 1 else target.with_name(f"{target.stem}-{number}{target.suffix}")
            _save_as(data, path)
            written.append(path)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    return written


def _save_as(data: bytes, path: Path) -> None:
    """Write the bytes as they came, converted only if the file name asks for another format."""
    wanted = {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".webp": "webp"}.get(path.suffix.lower())
    if wanted is None or wanted == sniff_format(data):
        path.write_bytes(data)
        return
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        (image.convert("RGB") if wanted == "jpeg" else image).save(path, wanted.upper(), quality=95)


def _resume_hint(task_id: str, target: Path) -> str:
    if not task_id:
        return ""
    return (
        "\n  The task may still finish: within 24 h, run the same command again to collect it without paying"
        f" again, or: {_fetch_command(task_id, target)}"
    )


def _paid_hint(task_id: str, target: Path) -> str:
    """For a finished, paid task whose result could not be saved (running the command again would pay again)."""
    return f"\n  The result is paid for: fix that, then within 24 h save it with: {_fetch_command(task_id, target)}"


def _fetch_command(task_id: str, target: Path) -> str:
    return f"halloween-mask fetch {task_id} -o {target}"


def _fetch(args: argparse.Namespace) -> int:
    _refuse_unwritable_format(args.output, folder_ok=False)
    with _client(offline=False) as client:
        urls = client.wait(args.task_id)
        written = _write_results([client.download(url) for url in urls], args.output)
    _say(f"{args.task_id} -> {', '.join(map(str, written))}")
    return 0


# -- styles, check, set-key, emulator ---------------------------------------------------------------


def _styles(args: argparse.Namespace) -> int:
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
    fetcher = PreviewFetcher(base, PreviewCache(folder))
    try:
        report = fetcher.fetch_all()
    finally:
        fetcher.close()
    for number, reason in sorted(report.failed.items()):
        _say(f"style {number}: {reason}")
    have = len(report.cached) + len(report.fetched)
    _say(f"{have} of {STYLE_COUNT} previews in {folder} ({len(report.fetched)} downloaded from {base})")
    return 0 if not report.failed else 1


def _check(args: argparse.Namespace) -> int:
    settings = load_settings()
    if not args.offline:
        print(f"endpoint:  {settings.base_url}" + (f" (from {ENV_BASE})" if ENV_BASE in os.environ else ""))
        print(f"API key:   {'set, from ' + settings.source if settings.api_key else 'not set'}")
    with _client(args.offline) as client:
        pools = client.credits()
    print("connection: ok, the key was accepted")
    for pool in pools:
        print(f"credits:   {pool.balance:g} ({pool.name or pool.unique_sign}), about {int(pool.balance // 15)} masks")
    return 0


def _set_key(args: argparse.Namespace) -> int:
    key = getpass.getpass("AILabTools API key (input hidden): ") if sys.stdin.isatty() else sys.stdin.readline()
    path = save_api_key(key)
    _say(f"Saved to {path} (readable only by you). Check it with: halloween-mask check")
    return 0


def _emulator(args: argparse.Namespace) -> int:
    from .emulator import EmulatorConfig, serve_forever

    options = {"credits": args.credits}
    options.update({"api_keys": tuple(args.key)} if args.key else {"accept_any_key": True})
    config = EmulatorConfig.realistic(**options) if args.realistic else EmulatorConfig(**options)
    _say(
        f"Emulator on http://127.0.0.1:{args.port} (Ctrl+C to stop). Point clients at it with:\n"
        f"  export {ENV_BASE}=http://127.0.0.1:{args.port} {ENV_KEY}={args.key[0] if args.key else 'any-key'}"
    )
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl+C
    serve_forever(config, port=args.port)
    _say("Emulator stopped.")
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


# -- shared pieces ----------------------------------------------------------------------------------


@contextlib.contextmanager
def _client(offline: bool, deadline: float = DEFAULT_DEADLINE) -> Iterator[Client]:
    """A client for the configured service, or for an in-process emulator when ``offline``."""
    if not offline:
        with Client.from_settings(deadline=deadline) as client:
            yield client
        return
    from .emulator import Emulator, EmulatorConfig  # Werkzeug, OpenCV: only when asked for

    with (
        Emulator(EmulatorConfig(api_keys={OFFLINE_KEY})) as emulator,
        Client(OFFLINE_KEY, emulator.base_url, deadline=deadline) as client,
    ):
        yield client


class _ProgressBar:
    """One bar for the whole run: images done, and the latest task state and elapsed time."""

    def __init__(self, total: int) -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=total, unit="image", desc="Halloween masks", disable=None, file=sys.stderr)
        self._lock = threading.Lock()

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._bar.close()

    def update(self, name: str, progress: Progress) -> None:
        with self._lock:
            self._bar.set_postfix_str(f"{name}: {progress.state.name.lower()}, {progress.elapsed:.0f} s")

    def finished(self, name: str) -> None:
        with self._lock:
            self._bar.update(1)

    def note(self, text: str) -> None:
        with self._lock:
            self._bar.write(text, file=sys.stderr)


def _say(text: str) -> None:
    print(text, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())

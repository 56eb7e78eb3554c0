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
import logging
import math
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from halloween_mask import __version__
from halloween_mask.client import DEFAULT_DEADLINE, MAX_RESULTS, CancelToken, Client, Progress, Result
from halloween_mask.config import ENV_BASE, ENV_KEY, Settings, load_settings, replace_whole, save_api_key
from halloween_mask.cost import CREDITS_PER_MASK, masks_left
from halloween_mask.errors import HalloweenMaskError, SettingsError
from halloween_mask.imageformat import read_image_info
from halloween_mask.pending import PendingTasks
from halloween_mask.placement import same_shape
from halloween_mask.previews import PreviewCache, PreviewFetcher, preview_base, preview_url
from halloween_mask.styles import ASPECT_RATIOS, STYLE_COUNT, STYLES, style

if TYPE_CHECKING:
    from .fitting import Fitted  # Pillow: imported only when a file is read

OFFLINE_KEY = "offline-emulator-key"
WRITABLE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp"}
# Image files -o cannot produce: refused rather than PNG bytes under a misleading name.
OTHER_IMAGE_SUFFIXES = {".tif", ".tiff", ".bmp", ".gif", ".heic", ".heif", ".avif", ".jxl", ".jp2", ".ico", ".psd"}
DEFAULT_JOBS = 3  # the vendor suggests starting with low concurrency


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failed, 2 usage, 130 interrupted)."""
    args = _parser().parse_args(argv)
    logging.basicConfig(format="halloween-mask: %(message)s", level=logging.WARNING)  # warnings, not tracebacks
    try:
        status = args.run(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's shutdown
        return status
    except BrokenPipeError:
        # The reader went away (`halloween-mask styles | head -2`): stop quietly, as the Python docs
        # advise, pointing stdout at devnull so the interpreter's own final flush cannot fail too.
        _drop_stdout()
        return 1
    except OSError as error:  # what nothing else names: standard output on a full disk ...
        _drop_stdout()
        _say(f"halloween-mask: {error.strerror or error}" + (f": {error.filename}" if error.filename else ""))
        return 1
    except UsageError as error:
        _say(f"halloween-mask: {error}")
        return 2
    except (HalloweenMaskError, OutputError) as error:
        _say(f"halloween-mask: {error}")
        return 1
    except KeyboardInterrupt:
        _say("halloween-mask: interrupted")
        return 130


def _drop_stdout() -> None:
    """Flush standard output; if it cannot be written, send what is left to devnull (nothing to fail at exit)."""
    try:
        sys.stdout.flush()
    except OSError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


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
        required=True,
        metavar="OUT",
        help="output file .png/.jpg/.webp (one input) or folder (several inputs; a new one ends in /)",
    )
    apply.add_argument("-j", "--jobs", type=_whole_number(1), default=DEFAULT_JOBS, help="images in flight at once")
    _add_deadline(apply)
    _add_offline(apply)
    apply.set_defaults(run=_apply)

    fetch = commands.add_parser("fetch", help="download the result of a task submitted earlier (within 24 h)")
    fetch.add_argument("task_id", metavar="TASK_ID", help="the task id a message of apply or the plug-in named")
    fetch.add_argument("-o", "--output", required=True, metavar="OUT", help="output file (.png, .jpg/.jpeg or .webp)")
    _add_deadline(fetch)
    fetch.set_defaults(run=_fetch)

    styles = commands.add_parser("styles", help="list the mask styles and their preview images")
    styles.add_argument("--json", action="store_true", help="machine-readable output")
    styles.add_argument("--download", type=Path, metavar="DIR", help="save the 85 preview pictures (N.jpg) in DIR")
    styles.set_defaults(run=_styles)

    check = commands.add_parser("check", help="check the API key, the connection and the credits left")
    _add_offline(check)
    check.set_defaults(run=_check)

    set_key = commands.add_parser(
        "set-key",
        help="save your API key in the settings file (readable only by you); reads it from standard input",
        description="Reads the API key from standard input (typed hidden at a terminal, or piped:"
        " `halloween-mask set-key < key.txt`) and saves it in the settings file, readable only by you.",
    )
    set_key.set_defaults(run=_set_key)

    emulator = commands.add_parser("emulator", help="run the local emulator of the API on 127.0.0.1")
    emulator.add_argument(
        "--port", type=_whole_number(1, 65535), default=8765, help="the port on 127.0.0.1 (default: %(default)s)"
    )
    emulator.add_argument(
        "--key",
        action="append",
        default=[],
        metavar="KEY",
        help="an API key the emulator accepts (repeatable; default: any key)",
    )
    emulator.add_argument("--realistic", action="store_true", help="take tens of seconds per task, like the service")
    emulator.add_argument(
        "--credits", type=_whole_number(0), default=10_000, help="the account's credit balance (default: %(default)s)"
    )
    emulator.set_defaults(run=_emulator)
    return parser


def _add_deadline(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--deadline",
        type=_seconds,
        default=DEFAULT_DEADLINE,
        metavar="SECONDS",
        help="end the run after this long, whatever the service does (default: %(default)g)",
    )


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
    template = _read_template(args.template) if args.template else None
    cancel = CancelToken()
    pending = None if args.offline else PendingTasks.beside_settings()
    with _client(args.offline, deadline=args.deadline) as client, _ProgressBar(len(jobs)) as bar:

        def run(job: _Job) -> bool:
            try:
                image = _read_upload(job.source, "image", bar.note)
                result = client.apply(
                    image.data,
                    mask_style=args.style,
                    template=template,
                    aspect_ratio=args.aspect_ratio,
                    cancel=cancel,
                    on_progress=lambda p: bar.update(job.source.name, p),
                    pending=pending,
                )
                written, scaled = _write_results(result.images, job.target, image.size)
                if result.resumed:
                    bar.note(
                        f"{job.source}: collected task {result.task_id}, submitted by an earlier or concurrent"
                        " run of the same request (not paid again)"
                    )
                if result.refused:
                    bar.note(f"{job.source}: {_refused_note(result)}")
            except OutputError as error:
                hint = _offline_hint() if args.offline else _paid_hint(result.task_id, job.target)
                bar.note(f"{job.source}: {error}{hint}")
                return False
            except HalloweenMaskError as error:
                hint = _resume_hint(error.task_id, job.target) if error.kept_pending else ""
                bar.note(f"{job.source}: {error}{hint}")
                return False
            finally:
                bar.finished(job.source.name)
            bar.note(f"{job.source} -> {', '.join(map(str, written))}{scaled}")
            return True

        pool = ThreadPoolExecutor(max_workers=args.jobs, thread_name_prefix="apply")
        try:
            outcomes = list(pool.map(run, jobs))
        except KeyboardInterrupt:
            cancel.cancel()  # every wait stops at once; submitted tasks can be fetched later
            raise
        finally:
            pool.shutdown(wait=True)
    failed = [str(job.source) for job, done in zip(jobs, outcomes, strict=True) if not done]
    if len(jobs) > 1:
        _say(f"{len(jobs) - len(failed)} written, {len(failed)} failed" + (f": {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


def _plan(inputs: Sequence[Path], output: str, tag: str) -> list[_Job]:
    """One job per input: ``-o`` is the file for a single input, else a folder for all of them."""
    missing = [str(p) for p in inputs if not os.path.isfile(p)]  # os.path: False on any OSError
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}")
    target = Path(output)
    if _names_a_file(output):
        if len(inputs) > 1:
            raise UsageError("with several inputs, -o must be a folder")
        _refuse_files_in_the_way(target.parents, target)
        return [_Job(inputs[0], target)]
    if len(inputs) == 1 and not _names_a_folder(output):
        raise UsageError(
            f"-o {output}: name the output file .png, .jpg/.jpeg or .webp, or give a folder"
            " (an existing one, or a name ending in /)"
        )
    _refuse_files_in_the_way([target, *target.parents], target)
    stems = [p.stem for p in inputs]
    clashes = {s for s in stems if stems.count(s) > 1}
    if clashes:
        raise UsageError(f"several inputs are named {', '.join(sorted(clashes))}; rename them")
    return [_Job(p, target / f"{p.stem}.{tag}.png") for p in inputs]


def _names_a_file(output: str) -> bool:
    """``-o`` names an image file (refused with a UsageError if it is a format results cannot be saved as)."""
    path = Path(output)
    if _names_a_folder(output):
        return False
    suffix = path.suffix.lower()
    if suffix in OTHER_IMAGE_SUFFIXES:
        raise UsageError(f"cannot write {suffix} files: use .png, .jpg/.jpeg or .webp (or a folder) for -o")
    return suffix in WRITABLE_SUFFIXES


def _names_a_folder(output: str) -> bool:
    return output.endswith(("/", os.sep)) or os.path.isdir(output)


def _refuse_files_in_the_way(folders: Iterable[Path], target: Path) -> None:
    """A UsageError if the nearest of ``folders`` that exists is a file (``-o photo.jpg/out.png``)."""
    for folder in folders:
        if os.path.lexists(folder):
            if not os.path.isdir(folder):
                raise UsageError(f"cannot write {target}: {folder} is a file, not a folder")
            return


def _read_template(path: Path) -> bytes:
    """The template's bytes, fitted like an image; its problems name it (they are not the portrait's)."""
    try:
        return _read_upload(path, "template").data
    except HalloweenMaskError as error:
        raise UsageError(f"the template {path}: {error}") from None


def _read_upload(path: Path, role: str, notice: Callable[[str], None] | None = None) -> Fitted:
    """The file's bytes, fitted to the service's limits (with a notice) when needed, and its size."""
    from .fitting import fit_for_upload  # Pillow: the command line only

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    fitted = fit_for_upload(data)
    if fitted.notice:
        (notice or _say)(f"{path} ({role}): {fitted.notice}")
    return fitted


def _write_results(
    images: Sequence[bytes], target: Path, size: tuple[int, int] | None = None
) -> tuple[list[Path], str]:
    """Save each result (a second and later one get ``-2``, ``-3`` ... before the suffix).

    A result of the input's shape at another size (the upload was scaled to fit the limits) is
    scaled to the input's ``size``, as the plug-in does; the second value says so ("" if not).
    Each file is written whole or not at all (a full disk leaves no truncated image behind).
    """
    written, scaled = [], ""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        for number, data in enumerate(images, start=1):
            path = target if number == 1 else target.with_name(f"{target.stem}-{number}{target.suffix}")
            scaled = _save_as(data, path, size) or scaled
            written.append(path)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    return written, scaled


def _save_as(data: bytes, path: Path, size: tuple[int, int] | None) -> str:
    """Write the bytes as they came, unless the file name asks for another format or ``size`` another size.

    Returns " (scaled from ... to the input's ...)" when the result was scaled, else "".
    """
    info = read_image_info(data)
    wanted = {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".webp": "webp"}.get(path.suffix.lower(), info.format)
    rescale = size is not None and size != (info.width, info.height) and same_shape(*size, info.width, info.height)
    if wanted == info.format and not rescale:
        replace_whole(path, data)
        return ""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image, io.BytesIO() as converted:
        out = image.resize(size, Image.Resampling.LANCZOS) if rescale else image
        (out.convert("RGB") if wanted == "jpeg" else out).save(converted, wanted.upper(), quality=95)
        replace_whole(path, converted.getvalue())
    return f" (scaled from {info.width}x{info.height} px to the input's {size[0]}x{size[1]})" if rescale else ""


def _resume_hint(task_id: str, target: Path) -> str:
    """For a task kept in the pending store: how it will be collected without paying again."""
    return (
        "\n  The task is kept: within 24 h, run the same command again to collect it without paying"
        f" again, or: {_fetch_command(task_id, target)}"
    )


def _offline_hint() -> str:
    """Offline, the emulator's tasks end with the command: nothing to fetch, nothing paid."""
    return "\n  Nothing was paid (offline): fix that, or choose another -o, and run the command again."


def _refused_note(result: Result) -> str:
    return (
        f"the service sent {len(result.urls) + result.refused:,} results; only the first {len(result.urls)} were"
        f" taken (at most {MAX_RESULTS} per task), the other {result.refused:,} were refused"
    )


def _paid_hint(task_id: str, target: Path) -> str:
    """For a finished, paid task whose result could not be saved (running the command again would pay again)."""
    return f"\n  The result is paid for: fix that, then within 24 h save it with: {_fetch_command(task_id, target)}"


def _fetch_command(task_id: str, target: Path) -> str:
    return f"halloween-mask fetch {task_id} -o {target}"


def _fetch(args: argparse.Namespace) -> int:
    if not _names_a_file(args.output):
        raise UsageError(f"-o {args.output}: name the output file .png, .jpg/.jpeg or .webp")
    target = Path(args.output)
    _refuse_files_in_the_way(target.parents, target)
    with _client(offline=False, offline_hint=False, deadline=args.deadline) as client:
        result = client.collect(args.task_id)
    written, _ = _write_results(result.images, target)
    if result.refused:
        _say(f"{args.task_id}: {_refused_note(result)}")
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
    if args.offline:
        with _client(offline=True) as client:
            client.credits()
        print("offline:   the built-in emulator answers (no key, no network, nothing charged; its masks are stand-ins)")
        return 0
    settings = load_settings()
    print(f"endpoint:  {settings.base_url}" + (f" (from {ENV_BASE})" if ENV_BASE in os.environ else ""))
    print(f"API key:   {'set, from ' + settings.source if settings.api_key else 'not set'}")
    with _client(offline=False, settings=settings) as client:
        pools = client.credits()
    print("connection: ok, the key was accepted")
    for pool in pools:
        print(f"credits:   {pool.balance:g} ({pool.name or pool.unique_sign})")
    print(f"masks:     about {masks_left(pools):,} left, at {CREDITS_PER_MASK} credits each")
    return 0


def _set_key(args: argparse.Namespace) -> int:
    key = getpass.getpass("AILabTools API key (input hidden): ") if sys.stdin.isatty() else sys.stdin.readline()
    path = save_api_key(key)
    _say(f"Saved to {path} (readable only by you). Check it with: halloween-mask check")
    return 0


def _emulator(args: argparse.Namespace) -> int:
    from halloween_mask_emulator import EmulatorConfig, serve_forever

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
def _client(
    offline: bool, deadline: float = DEFAULT_DEADLINE, offline_hint: bool = True, settings: Settings | None = None
) -> Iterator[Client]:
    """A client for the configured service, or for an in-process emulator when ``offline``.

    Without a key, the error says how to set one (and, with ``offline_hint``, about ``--offline``).
    """
    if not offline:
        settings = settings or load_settings()
        if settings.api_key is None:
            raise SettingsError(
                "no API key is set: save yours with `halloween-mask set-key` (keys: "
                f"https://www.ailabtools.com/developer/keys) or set {ENV_KEY}"
                + ("; or try everything without a key with --offline" if offline_hint else "")
            )
        with Client.from_settings(settings, deadline=deadline) as client:
            yield client
        return
    from halloween_mask_emulator import Emulator, EmulatorConfig  # Werkzeug, OpenCV: only when asked for

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

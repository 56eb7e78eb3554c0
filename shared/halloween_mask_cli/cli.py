"""The ``halloween-mask`` command: apply masks to photos, list styles, check the set-up, run the emulator.

halloween-mask apply portrait.jpg --style 7 -o spooky.png
halloween-mask apply *.jpg --template mask.png --aspect-ratio 1:1 -o out/
halloween-mask apply portrait.jpg --style 7 --offline -o spooky.png   # no key, no network

Every error that ends a command is reported in one line and mapped to the exit status in
:func:`exit_status`: 2 when it is the caller's fault (``caller_fault``), 130 when interrupted, else 1.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from halloween_mask import ASPECT_RATIOS, DEFAULT_DEADLINE, STYLE_COUNT, HalloweenMaskError, __version__, logbook, style

from . import commands, doctor, history, notice, runlog
from .apply import DEFAULT_JOBS, run_apply
from .session import say

EXIT_FAILED = 1
EXIT_CALLER_FAULT = 2  # as argparse exits for a command line it cannot parse
EXIT_INTERRUPTED = 130
MAX_JOBS = 32  # images in flight at once: the service rate-limits long before
MAX_DIGITS = 12  # a whole number longer than this is out of any range here (and not converted)


def _show_warnings() -> None:
    """Warnings on standard error, one line each, never a library's traceback (as basicConfig, if unset)."""
    root = logging.getLogger()
    if not root.handlers:
        console = logging.StreamHandler()
        console.setFormatter(logbook.OneLine("halloween-mask: %(message)s"))
        root.addHandler(console)
        root.setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failed, 2 the caller's fault, 130 interrupted)."""
    args = _parser().parse_args(argv)
    _show_warnings()
    runlog.begin(argv)  # the user's log file (halloween_mask.logbook)
    try:
        notice.tell_once(args)  # before the first upload: what is sent, to whom, what it costs
        status = args.run(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's shutdown
        runlog.end(status)
        return status
    except (HalloweenMaskError, OSError, KeyboardInterrupt) as error:
        _report(error)
        runlog.end(exit_status(error), error)
        return exit_status(error)


def exit_status(error: BaseException) -> int:
    """The exit status for the error that ended a command: the one place errors become statuses."""
    if isinstance(error, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(error, HalloweenMaskError) and error.caller_fault:
        return EXIT_CALLER_FAULT
    return EXIT_FAILED


def _report(error: BaseException) -> None:
    """Say in one line what ended the command (nothing for a reader that went away)."""
    if isinstance(error, BrokenPipeError):
        # The reader went away (`halloween-mask styles | head -2`): stop quietly, as the Python docs
        # advise, pointing stdout at devnull so the interpreter's own final flush cannot fail too.
        _drop_stdout()
    elif isinstance(error, OSError):  # what nothing else names: standard output on a full disk ...
        _drop_stdout()
        say(f"halloween-mask: {error.strerror or error}" + (f": {error.filename}" if error.filename else ""))
    elif isinstance(error, KeyboardInterrupt):
        say("halloween-mask: interrupted")
    else:
        say(f"halloween-mask: {error}")


def _drop_stdout() -> None:
    """Flush standard output; if it cannot be written, send what is left to devnull (nothing to fail at exit)."""
    try:
        sys.stdout.flush()
    except OSError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="halloween-mask", description="Spooky Halloween masks on portraits, with the AILabTools API."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subcommands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    apply = subcommands.add_parser("apply", help="put a Halloween mask on one or more portraits")
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
    apply.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=DEFAULT_JOBS,
        help=f"images in flight at once (at most {MAX_JOBS})",
    )
    apply.add_argument(
        "--fresh",
        action="store_true",
        help="make a new mask (and pay for it) even when the same request has a kept one (see: halloween-mask history)",
    )
    _add_deadline(apply)
    _add_offline(apply)
    apply.set_defaults(run=run_apply)

    fetch = subcommands.add_parser("fetch", help="download the result of a task submitted earlier (within 24 h)")
    fetch.add_argument("task_id", metavar="TASK_ID", help="the task id a message of apply or the plug-in named")
    fetch.add_argument("-o", "--output", required=True, metavar="OUT", help="output file (.png, .jpg/.jpeg or .webp)")
    _add_deadline(fetch)
    fetch.set_defaults(run=commands.fetch)

    history.add_parser(subcommands)
    doctor.add_parser(subcommands)

    styles = subcommands.add_parser("styles", help="list the mask styles and their preview images")
    styles.add_argument("--json", action="store_true", help="machine-readable output")
    styles.add_argument("--download", type=Path, metavar="DIR", help="save the 85 preview pictures (N.jpg) in DIR")
    styles.set_defaults(run=commands.list_styles)

    check = subcommands.add_parser("check", help="check the API key, the connection and the credits left")
    _add_offline(check)
    check.set_defaults(run=commands.check)

    set_key = subcommands.add_parser(
        "set-key",
        help="save your API key in the settings file (readable only by you); reads it from standard input",
        description="Reads the API key from standard input (typed hidden at a terminal, or piped:"
        " `halloween-mask set-key < key.txt`) and saves it in the settings file, readable only by you.",
    )
    set_key.set_defaults(run=commands.set_key)

    emulator = subcommands.add_parser("emulator", help="run the local emulator of the API on 127.0.0.1")
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
    emulator.set_defaults(run=commands.run_emulator)
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
        return style(int(text) if len(text) <= MAX_DIGITS else 0).number
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
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, not {_shown(text)}")
    return value


def _whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """argparse type: an integer from ``low`` to ``high`` (no upper bound when None)."""

    def parse(text: str) -> int:
        try:
            value = int(text) if len(text) <= MAX_DIGITS else low - 1
        except ValueError:
            value = low - 1
        if value < low or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f"of at least {low}"
            raise argparse.ArgumentTypeError(f"expected a whole number {bounds}, not {_shown(text)}")
        return value

    return parse


def _jobs(text: str) -> int:
    """argparse type for ``-j``: a whole number of at least 1, and at most ``MAX_JOBS``."""
    value = _whole_number(1)(text)
    if value > MAX_JOBS:
        raise argparse.ArgumentTypeError(f"at most {MAX_JOBS} images can be in flight at once, not {_shown(text)}")
    return value


def _shown(text: str, most: int = 24) -> str:
    """``text`` quoted for an error message, shortened when long (a 5,000-digit number is not echoed)."""
    return repr(text) if len(text) <= most else f"{text[:12]!r}... ({len(text):,} characters)"

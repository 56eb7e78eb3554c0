"""``halloween-mask history``: the kept results (list, ``--json``, ``save``, ``delete``, ``clear``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from halloween_mask.history import Entry, History

from .errors import UsageError
from .output import names_a_file, refuse_files_in_the_way, write_results
from .session import say


def add_parser(subcommands: argparse._SubParsersAction) -> None:
    """The ``history`` command and its actions (none: list the entries)."""
    history = subcommands.add_parser(
        "history",
        help="the masks you paid for, kept on this computer: list, save, delete, clear",
        description="Every mask the command line or the plug-in downloads is kept (at most 1 GB by default,"
        " oldest out first; history_max_mb in the settings file changes it, 0 turns it off). Running the"
        " same request again re-uses it for free.",
    )
    history.add_argument("--json", action="store_true", help="machine-readable list")
    history.set_defaults(run=list_entries)
    actions = history.add_subparsers(title="actions", metavar="ACTION")
    save = actions.add_parser("save", help="save a kept mask to a file")
    save.add_argument("entry", type=int, metavar="ID", help="the entry's id (see: halloween-mask history)")
    save.add_argument("-o", "--output", required=True, metavar="FILE", help="output file (.png, .jpg/.jpeg or .webp)")
    save.set_defaults(run=save_entry)
    delete = actions.add_parser("delete", help="delete a kept mask")
    delete.add_argument("entry", type=int, metavar="ID")
    delete.set_defaults(run=delete_entry)
    clear = actions.add_parser("clear", help="delete every kept mask (asks first)")
    clear.add_argument("--yes", action="store_true", help="do not ask")
    clear.set_defaults(run=clear_all)


def list_entries(args: argparse.Namespace) -> int:
    history = History.for_user()
    entries = history.entries()
    if args.json:
        print(json.dumps([entry.to_json() for entry in entries], indent=1))
        return 0
    if not entries:
        say(f"No masks are kept yet (the history is in {history.folder}).")
        return 0
    for entry in entries:
        print(f"{entry.id:5d}  {entry.created_text:<16}  {_look(entry):<9}  {entry.source or '-'}  {_size(entry)}")
    count, size = history.usage()
    say(f"{count} kept, {size / 1e6:.1f} MB of at most {history.max_bytes / 1e6:.0f} MB, in {history.folder}")
    return 0


def save_entry(args: argparse.Namespace) -> int:
    if not names_a_file(args.output):
        raise UsageError(f"-o {args.output}: name the output file .png, .jpg/.jpeg or .webp")
    target = Path(args.output)
    refuse_files_in_the_way(target.parents, target)
    images = History.for_user().images(args.entry)
    if not images:
        raise UsageError(f"there is no history entry {args.entry} (see: halloween-mask history)")
    written, _ = write_results(images, target)
    say(f"entry {args.entry} -> {', '.join(map(str, written))}")
    return 0


def delete_entry(args: argparse.Namespace) -> int:
    if not History.for_user().delete(args.entry):
        raise UsageError(f"there is no history entry {args.entry} (see: halloween-mask history)")
    say(f"entry {args.entry} deleted")
    return 0


def clear_all(args: argparse.Namespace) -> int:
    history = History.for_user()
    count, size = history.usage()
    if not count:
        say("The history is empty.")
        return 0
    if not args.yes:
        print(f"Delete all {count} kept masks ({size / 1e6:.1f} MB)? [y/N] ", end="", file=sys.stderr, flush=True)
        answer = sys.stdin.readline().strip().lower()
        if answer not in ("y", "yes"):
            say("Nothing deleted.")
            return 1
    say(f"{history.clear()} kept masks deleted")
    return 0


def _look(entry: Entry) -> str:
    if entry.template:
        return "template"
    return f"Mask {entry.style}" if entry.style is not None else "-"


def _size(entry: Entry) -> str:
    return f"{entry.width}x{entry.height} {entry.format.upper()}, {entry.size / 1e6:.1f} MB"

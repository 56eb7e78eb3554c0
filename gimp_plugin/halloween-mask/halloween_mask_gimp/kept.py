"""The plug-in's side of the ledger (issue 15): which source a result was made from, the history's
entry id in the provenance parasite, and what the user is told when a run cost nothing.

The ledger itself (``halloween_mask.ledger``) is shared with the command line; runs pass it to
``Client.apply(..., ledger=, reuse=, source=)`` and ``StyleBatch``.
"""

from __future__ import annotations

import json

from gi.repository import Gimp, GObject
from halloween_mask.client import Result
from halloween_mask.cost import CREDITS_PER_MASK
from halloween_mask.history_entry import local_time_text
from halloween_mask.i18n import _

from halloween_mask_gimp.log import log

ENTRY_KEY = "history_entry"  # the provenance field naming the history's entry (scripts can find it)


def add_reuse_argument(procedure: Gimp.Procedure) -> None:
    """``reuse`` (default TRUE), added last so that scripts passing arguments by position keep working."""
    procedure.add_boolean_argument(
        "reuse",
        _("Re_use a kept result"),
        _(
            "TRUE: the same request as an earlier one re-uses its kept result (free, nothing sent); "
            "FALSE: a new mask is made ({credits} credits)"
        ).format(credits=CREDITS_PER_MASK),
        True,
        GObject.ParamFlags.READWRITE,
    )


def source_name(image: Gimp.Image, layer: Gimp.Item) -> str:
    """What the history records as a result's source: ``"portrait.xcf / Background"``; an image without
    a file is named as GIMP's title names it, ``"[Untitled]-3 / Background"``."""
    gfile = image.get_file()  # (not get_imported_file: a PDB call GIMP 3.2 answers with nothing)
    name = gfile.get_basename() if gfile is not None else f"{image.get_name()}-{image.get_id()}"
    return f"{name} / {layer.get_name()}"


def image_prefix(image: Gimp.Image) -> str:
    """The start of every source name of ``image`` (the history dialog's "this image")."""
    return source_name(image, image).rsplit(" / ", 1)[0] + " / "


def with_entry(record: bytes, entry_id: int | None) -> bytes:
    """The provenance ``record`` with the history's entry id in it (unchanged without one)."""
    if entry_id is None:
        return record
    payload = json.loads(record)
    payload[ENTRY_KEY] = int(entry_id)
    return json.dumps(payload, sort_keys=True).encode()


def when_text(seconds: float | None) -> str:
    """When a kept or paid mask was made, as every message says it (``"2026-12-05 12:03"``)."""
    return local_time_text(seconds if seconds is not None else 0.0)


def free_notice(result: Result) -> str | None:
    """What a run that cost nothing says (``None`` for a paid one)."""
    if result.reused:
        return _("Halloween Mask reused the mask made on {when}, free.").format(when=when_text(result.created))
    if result.resumed:
        return _("Halloween Mask collected the mask paid at {when}, no charge.").format(when=when_text(result.created))
    return None


def tell(result: Result, has_ui: bool) -> None:
    """Log a free run, and with a user show it in GIMP's status bar (a message, not a dialog)."""
    text = free_notice(result)
    if text is None:
        return
    if result.resumed:
        log(f"collected task {result.task_id} from an earlier run: {text}")
    else:
        log(f"reused the result of task {result.task_id} from the history: {text}")
    if has_ui:
        Gimp.progress_set_text(text)
        Gimp.message(text)

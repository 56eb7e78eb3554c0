"""The upload notice: before the first upload, say once what is sent, to whom, what they keep and what it costs.

The plug-in asks once (Continue / Cancel) in a run with a user and remembers a Continue in the
settings file; the command line prints :func:`one_line` once. Scripts are never asked.
``HALLOWEEN_MASK_UPLOAD_NOTICE=accepted`` counts as already seen (a set-up that shows its own
notice). What the vendor says about storage is from its documentation: uploads are not kept,
results are kept 24 hours, neither is used for training.
"""

from __future__ import annotations

import json
import logging
import os

from .config import _read_file, settings_path, write_private
from .cost import CREDITS_PER_MASK
from .i18n import _

log = logging.getLogger(__name__)

SETTING = "upload_notice"  # in the settings file: "accepted" once the notice was agreed to (or printed)
ACCEPTED = "accepted"
ENV_NOTICE = "HALLOWEEN_MASK_UPLOAD_NOTICE"
VENDOR = "AILabTools"
PRICE = "US$0.04"  # 15 credits, about $0.0405 at the vendor's list price


def seen() -> bool:
    """Whether the notice was agreed to (or printed) before: the settings file, or the environment."""
    if os.environ.get(ENV_NOTICE, "").strip().lower() == ACCEPTED:
        return True
    try:
        stored, _shared = _read_file(settings_path())
    except Exception:  # an unreadable settings file is the run's to report
        return False
    return stored.get(SETTING) == ACCEPTED


def remember() -> None:
    """Record in the settings file that the notice was seen; a file that cannot be written only means asking again."""
    path = settings_path()
    try:
        stored, _shared = _read_file(path)
        stored[SETTING] = ACCEPTED
        write_private(path, json.dumps(stored, indent=2) + "\n")
    except Exception as error:  # read-only, a folder in the way ...: the notice shows again next time
        log.warning("could not remember the upload notice in %s (%s)", path, type(error).__name__)


def paragraphs() -> list[str]:
    """The notice for the plug-in's dialog, in the user's language."""
    return [
        _(
            "To make the mask, the selected layer (or, with a selection, the part of it around the selection) "
            "is uploaded to {vendor}, the company that runs the AI Halloween Mask service."
        ).format(vendor=VENDOR),
        _(
            "{vendor} says it does not keep uploaded pictures and deletes the results after 24 hours; "
            "neither is used to train its AI."
        ).format(vendor=VENDOR),
        _(
            "Each mask costs {credits} credits of your {vendor} account (about {price}); a mask that fails "
            "costs nothing."
        ).format(credits=CREDITS_PER_MASK, vendor=VENDOR, price=PRICE),
        _("Nothing is sent until you choose Continue. This is said only once."),
    ]


def one_line() -> str:
    """The notice as the command line prints it, once (English, one line)."""
    return (
        f"halloween-mask: each photo is uploaded to {VENDOR} to make its mask; {VENDOR} says uploads are not kept "
        f"and results are deleted after 24 hours (neither used for training); each mask costs {CREDITS_PER_MASK} "
        f"credits (about {PRICE}), a failed one nothing. (Said once; details: halloween-mask doctor, README Privacy)"
    )

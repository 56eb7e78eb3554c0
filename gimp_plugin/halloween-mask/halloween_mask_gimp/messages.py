"""What a failed run tells the person: one sentence they can act on and whether anything was
charged, then the details support asks for (codes, task/request/log ids) on a line of their own.

``user_message`` words one error; ``styles_message`` words the failures of several styles,
each reason once with the styles it hit: "Masks 3, 7: No usable face was found … Nothing was
charged." GIMP shows a message of one line in its status bar and longer ones in a dialog.
"""

from __future__ import annotations

from collections.abc import Sequence

from halloween_mask.errors import (
    PAID_NOTE,
    ErrorKind,
    HalloweenMaskError,
    PlainError,
    ResultUnavailableError,
    SubmitOutcomeUnknownError,
)
from halloween_mask.i18n import _, ngettext
from halloween_mask.variants import StyleOutcome

# Kinds of failure the service does not charge for (a mask is paid only when it is made).
UNCHARGED = {
    ErrorKind.AUTH,
    ErrorKind.CREDITS,
    ErrorKind.RATE_LIMITED,
    ErrorKind.BAD_INPUT,
    ErrorKind.NO_FACE,
    ErrorKind.TOO_LARGE,
    ErrorKind.UNSUPPORTED_FORMAT,
    ErrorKind.SERVER_BUSY,
    ErrorKind.TASK_FAILED,
    ErrorKind.NETWORK,
    ErrorKind.SETTINGS,
}


def _plain(error: HalloweenMaskError) -> bool:
    """An error whose message is the caller's own sentence ("Select exactly one layer …"): no details."""
    return isinstance(error, PlainError) or (error.caller_fault and not error.code)


def advice(error: HalloweenMaskError) -> str:
    """The sentence to act on, with what was charged: "No usable face … Nothing was charged."."""
    if _plain(error):
        return error.message
    text = _(error.advice) if error.advice else error.kind.advice
    return f"{text} {charge(error)}".strip()


def charge(error: HalloweenMaskError) -> str:
    """Whether the failure cost anything, in one sentence ("" where the advice already says)."""
    if error.says_paid or isinstance(error, (ResultUnavailableError, SubmitOutcomeUnknownError)):
        return ""
    if error.kept_pending:
        return _(PAID_NOTE)
    if error.kind in UNCHARGED:
        return _("Nothing was charged.")
    return ""


def details(error: HalloweenMaskError) -> str:
    """``"Details for support: ERROR_NO_FACE_IN_FILE (pic not has face) · task … · request … · log …"``."""
    if _plain(error):
        return ""
    said = error.code + (f" ({error.detail})" if error.code and error.detail else "")
    parts = [said or error.detail]
    parts += [
        f"{name} {value}"
        for name, value in (("task", error.task_id), ("request", error.request_id), ("log", error.log_id))
        if value
    ]
    parts = [part for part in parts if part]
    return _("Details for support: {details}").format(details=" · ".join(parts)) if parts else ""


def user_message(error: HalloweenMaskError) -> str:
    """The sentence, then (when there are any) the details on a second line."""
    return "\n".join(line for line in (advice(error), details(error)) if line)


def styles_message(outcomes: Sequence[StyleOutcome]) -> list[str]:
    """One line per distinct reason, naming the styles it hit in pick order, then one details line each."""
    reasons: dict[str, list[StyleOutcome]] = {}
    for outcome in outcomes:
        if outcome.error is not None:
            reasons.setdefault(advice(outcome.error), []).append(outcome)
    lines = []
    for reason, hit in reasons.items():
        numbers = ", ".join(str(o.style) for o in hit)
        names = ngettext("Mask {numbers}", "Masks {numbers}", len(hit))
        lines.append(f"{names.format(numbers=numbers)}: {reason}")
    for outcome in outcomes:
        if outcome.error is not None and details(outcome.error):
            lines.append(f"  {outcome.style}: {details(outcome.error)}")
    return lines


def done_notice(name: str, new_image: bool, forced: bool, ratio: str) -> str:
    """What a finished run says in the status bar: "Halloween Mask 7 added.", or where it opened and why."""
    if not new_image:
        return _("{name} added.").format(name=name)
    if forced:
        return _("{name} opened as a new image.").format(name=name)
    return _("{name} opened as a new image because of the aspect ratio {ratio}.").format(name=name, ratio=ratio)

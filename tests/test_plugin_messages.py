"""The plug-in's error wording (issue 18 §7): an actionable sentence with what was charged, then details."""

from __future__ import annotations

import pytest
from halloween_mask.errors import (
    AuthError,
    DeadlineExceededError,
    NoFaceError,
    ResultUnavailableError,
    ServerBusyError,
    UsageError,
)
from halloween_mask.variants import StyleOutcome
from halloween_mask_gimp.messages import styles_message, user_message


def test_a_service_error_is_a_sentence_then_the_details_on_a_second_line():
    error = NoFaceError("pic not has face", code="ERROR_NO_FACE_IN_FILE", task_id="t-1", request_id="r-2", log_id="l-3")
    first, second = user_message(error).split("\n")
    assert first.startswith("No usable face was found.") and first.endswith("Nothing was charged.")
    assert "ERROR_NO_FACE_IN_FILE" not in first and "t-1" not in first
    assert second == "Details for support: ERROR_NO_FACE_IN_FILE (pic not has face) · task t-1 · request r-2 · log l-3"


def test_a_paid_task_says_how_to_collect_it_and_never_nothing_charged():
    error = DeadlineExceededError(task_id="t-9")
    error.kept_pending = True
    text = user_message(error)
    assert "collect it at no charge" in text and "Nothing was charged" not in text
    paid = ResultUnavailableError(task_id="t-8")
    assert "Nothing was charged" not in user_message(paid) and user_message(paid).count("24 hours") == 1


def test_a_callers_sentence_stays_alone():
    assert user_message(UsageError("Select exactly one layer, then run it again.")) == (
        "Select exactly one layer, then run it again."
    )


@pytest.mark.parametrize("error", [AuthError(code="ERROR_API_KEY_NOT_FOUND"), ServerBusyError()])
def test_uncharged_kinds_say_so(error):
    assert "Nothing was charged." in user_message(error).split("\n")[0]


def test_the_same_reason_for_several_styles_is_said_once_in_pick_order():
    def fail(style: int, task: str) -> StyleOutcome:
        return StyleOutcome(style, None, NoFaceError(code="ERROR_NO_FACE_IN_FILE", task_id=task))

    outcomes = [fail(12, "a"), StyleOutcome(5, object(), None), fail(3, "b"), StyleOutcome(7, None, ServerBusyError())]
    lines = styles_message(outcomes)
    assert lines[0].startswith("Masks 12, 3: No usable face was found.")
    assert lines[1].startswith("Mask 7: The service is busy")
    assert sum("No usable face" in line for line in lines) == 1
    assert lines[2:] == [
        "  12: Details for support: ERROR_NO_FACE_IN_FILE · task a",
        "  3: Details for support: ERROR_NO_FACE_IN_FILE · task b",
    ]

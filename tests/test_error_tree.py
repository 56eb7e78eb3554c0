"""One error tree: every error a person can see derives from ``HalloweenMaskError`` and says whose fault it is.

``caller_fault`` is what the GIMP plug-in reports as a CALLING_ERROR and the command line as exit 2;
any other error of the tree is exit 1 (130 when interrupted), as before.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import halloween_mask
import halloween_mask_cli
import pytest
from emulator_support import API_KEY
from halloween_mask.errors import (
    AuthError,
    BadInputError,
    HalloweenMaskError,
    InvalidArgumentError,
    NoFaceError,
    SettingsError,
    TooLargeError,
)
from halloween_mask.imageformat import DamagedImageError, NotAnImageError, read_image_info
from halloween_mask_cli import OutputError, UsageError, exit_status, main
from halloween_mask_emulator import Emulator

# Exceptions that never reach a person: turned into an error of the tree (or skipped) where raised.
INTERNAL = {  # OSErrors: an unusable settings file is a SettingsError, a pending-task file is ignored with a warning
    "halloween_mask.config.NotAFileError",
    "halloween_mask.config.FileTooLargeError",
}


def _exception_classes() -> dict[str, type[BaseException]]:
    found = {}
    for package in (halloween_mask, halloween_mask_cli):
        modules = [m.name for m in pkgutil.iter_modules(package.__path__) if m.name != "__main__"]  # __main__ runs
        names = [package.__name__] + [f"{package.__name__}.{name}" for name in modules]
        for name in names:
            module = importlib.import_module(name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, BaseException) and cls.__module__ == name:
                    found[f"{name}.{cls.__qualname__}"] = cls
    return found


def test_every_exception_of_the_client_and_the_command_line_is_in_the_tree() -> None:
    classes = _exception_classes()
    assert "halloween_mask_cli.errors.OutputError" in classes  # the walk finds the command line's own
    outside = {name for name, cls in classes.items() if not issubclass(cls, HalloweenMaskError)}
    assert outside == INTERNAL


@pytest.mark.parametrize(
    ("error", "caller_fault"),
    [
        (HalloweenMaskError(), False),
        (InvalidArgumentError("style 99"), True),
        (SettingsError("no key"), True),
        (UsageError("no such file: a.jpg"), True),
        (OutputError("cannot write out.png"), False),
        (BadInputError("the service said no"), False),
        (AuthError(), False),
        (NoFaceError(), False),
        (TooLargeError(), False),
        (NotAnImageError("not a JPEG, PNG or WEBP image"), False),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else None,
)
def test_each_error_says_whether_the_caller_is_at_fault(error: HalloweenMaskError, caller_fault: bool) -> None:
    assert error.caller_fault is caller_fault


def test_image_errors_keep_their_words_and_stay_value_errors() -> None:
    with pytest.raises(NotAnImageError) as caught:
        read_image_info(b"GIF89a not for the service")
    assert str(caught.value) == "not a JPEG, PNG or WEBP image"
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, HalloweenMaskError)
    assert issubclass(DamagedImageError, NotAnImageError)


def test_one_usage_error_serves_the_command_line_and_the_plug_in() -> None:
    assert UsageError is halloween_mask.UsageError is halloween_mask.errors.UsageError


def test_usage_and_output_errors_say_only_what_they_were_given() -> None:
    assert str(UsageError("with several inputs, -o must be a folder")) == "with several inputs, -o must be a folder"
    assert str(OutputError("cannot write x.png: No space left on device")).startswith("cannot write x.png")


class _CallersMistake(HalloweenMaskError):
    caller_fault = True


class _NotTheCallers(HalloweenMaskError):
    pass


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (_CallersMistake("any subclass that says so"), 2),
        (UsageError("no such file"), 2),
        (InvalidArgumentError("bad"), 2),
        (SettingsError("no key"), 2),
        (_NotTheCallers(), 1),
        (OutputError("cannot write"), 1),
        (NoFaceError(), 1),
        (AuthError(), 1),
        (BrokenPipeError(), 1),
        (OSError(28, "No space left on device"), 1),
        (KeyboardInterrupt(), 130),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else None,
)
def test_the_exit_status_follows_caller_fault(error: BaseException, status: int) -> None:
    assert exit_status(error) == status


def test_a_command_ending_in_a_callers_mistake_exits_2_and_says_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def styles(args: object) -> int:
        raise _CallersMistake("the style list is not valid")

    monkeypatch.setattr("halloween_mask_cli.commands.list_styles", styles)
    assert main(["styles"]) == 2
    err = capsys.readouterr().err
    assert "the style list is not valid" in err and "Traceback" not in err


def test_without_a_key_check_exits_2_and_says_how_to_set_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AILAB_API_KEY", raising=False)
    assert main(["check"]) == 2  # a SettingsError: the caller's to fix
    assert "halloween-mask set-key" in capsys.readouterr().err


def test_a_rejected_key_is_not_the_callers_fault(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AILAB_API_BASE", emulator.base_url)
    monkeypatch.setenv("AILAB_API_KEY", "not-" + API_KEY)
    assert main(["check"]) == 1
    assert "API key was rejected" in capsys.readouterr().err


def test_a_missing_input_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apply", str(tmp_path / "gone.jpg"), "--style", "1", "-o", str(tmp_path / "o.png")]) == 2
    assert "no such file" in capsys.readouterr().err

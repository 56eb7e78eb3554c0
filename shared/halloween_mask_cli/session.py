"""What every command shares: a client for the service (or the offline emulator), and a line on stderr."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from halloween_mask.client import DEFAULT_DEADLINE, Client
from halloween_mask.config import ENV_KEY, Settings, load_settings
from halloween_mask.errors import SettingsError

from . import runlog

OFFLINE_KEY = "offline-emulator-key"


@contextlib.contextmanager
def open_client(
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


def say(text: str) -> None:
    """One message for the person at the terminal (standard error)."""
    print(text, file=sys.stderr)
    runlog.said(text)

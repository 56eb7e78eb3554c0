"""Host-side facts of the plug-in's GIMP tests: the procedure, the test key and photo, GIMP's environment.

``plugin_env`` is the environment that points the plug-in at the in-process emulator; the code
that runs inside GIMP is under inside/ (plugin_lib.py and the test modules' folders).
"""

from __future__ import annotations

from pathlib import Path

PROC = "python-fu-halloween-mask"
SECRET_KEY = "hm-test-key-7f3a9c-do-not-leak"  # distinctive, so a grep for it means something
PORTRAIT = Path(__file__).parents[1] / "data" / "portrait-astronaut.png"
# The upload notice counts as seen (its own tests pass HALLOWEEN_MASK_UPLOAD_NOTICE="" to meet it).
NOTICE_SEEN = {"HALLOWEEN_MASK_UPLOAD_NOTICE": "accepted"}


def plugin_env(base_url: str, settings_inside: str, *, key_in_env: bool = True, **extra: str) -> dict[str, str]:
    """GIMP's environment: emulator endpoint, key (env or settings file only), settings path."""
    env = {"AILAB_API_BASE": base_url, "HALLOWEEN_MASK_SETTINGS": settings_inside, **NOTICE_SEEN, **extra}
    env["HM_EMULATOR_KEY"] = SECRET_KEY  # for the emulator's control routes, which want one of its keys
    if key_in_env:
        env["AILAB_API_KEY"] = SECRET_KEY
    return env

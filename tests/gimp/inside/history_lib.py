"""The history from a script: how many tasks the service saw, and the History procedure."""

from hm import hm_run
from plugin_lib import emulator

HISTORY = "python-fu-halloween-mask-history"


def submits():
    return len(emulator({})["tasks"])


def history(image, drawables, entry=""):
    """Run the History procedure (entry: an id, or empty for the newest); (status, message, inserted layer)."""
    status, message, values = hm_run(HISTORY, image, drawables, entry=entry)
    return status, message, values[0] if values else None

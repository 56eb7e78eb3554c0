"""What the person chose in the dialog is remembered even when the run then fails.

GIMP writes a procedure's last values (the profile's ``plug-in-settings/<config type>.last`` file
and the image's ``<config type>-last`` parasite) only after a successful interactive run, so a
failed run used to forget the style and wait time just chosen. ``remember`` writes the chosen
values into both as soon as OK is pressed, in GIMP's own format (one ``(name value)`` line per
argument; lines it does not know are left as they are); a successful run then writes all of them
again. An image without that parasite is left alone (it would look modified). GIMP's own
serializer is not callable from Python here (PyGObject refuses the config as a ``Gimp.Config``).
"""

from __future__ import annotations

import re
from pathlib import Path

from gi.repository import Gimp, GLib

from halloween_mask_gimp.log import log

REMEMBERED = ("mask-style", "mask-styles", "source", "aspect-ratio", "placement", "deadline", "reuse")
FOOTER = "# end of settings"


def remember(config: Gimp.ProcedureConfig, image: Gimp.Image | None) -> None:
    """Write the dialog's choices as the procedure's last values now (never fails the run)."""
    name = type(config).__gtype__.name  # "GimpProcedureConfigRun-python-fu-halloween-mask"
    values = {prop: _value(config.get_property(prop)) for prop in REMEMBERED if config.find_property(prop)}
    try:
        path = Path(Gimp.directory()) / "plug-in-settings" / f"{name}.last"
        text = path.read_text(encoding="utf-8") if path.exists() else f"# settings\n\n{FOOTER}\n"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(with_values(text, values), encoding="utf-8")
        parasite = image.get_parasite(f"{name}-last") if image is not None and image.is_valid() else None
        if parasite is not None:
            old = bytes(b % 256 for b in parasite.get_data()).decode("utf-8", "replace").rstrip("\0")
            data = list((with_values(old, values) + "\0").encode())
            image.attach_parasite(Gimp.Parasite.new(parasite.get_name(), parasite.get_flags(), data))
    except (OSError, GLib.Error, TypeError) as error:
        log(f"the dialog's choices could not be remembered before the run: {error}")


def with_values(text: str, values: dict[str, str]) -> str:
    """``text`` (GIMP's serialized settings) with each ``(name value)`` line set from ``values``."""
    for prop, value in values.items():
        line = f"({prop} {value})"
        pattern = re.compile(rf"^\({re.escape(prop)} .*\)$", re.MULTILINE)
        if pattern.search(text):
            text = pattern.sub(lambda _match, line=line: line, text, count=1)
        elif FOOTER in text:
            text = text.replace(FOOTER, f"{line}\n\n{FOOTER}", 1)
        else:
            text = f"{text.rstrip()}\n{line}\n"
    return text


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'

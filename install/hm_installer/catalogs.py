"""The translations: read .po files and write the .mo catalogs GIMP's gettext reads (what msgfmt does)."""

from __future__ import annotations

import ast
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hm_installer.errors import InstallError
from hm_installer.layout import GETTEXT_DOMAIN


@dataclass
class Message:
    """One entry of a .po file: the English text (and plural), its translation(s), flags, references."""

    msgid: str
    msgstr: list[str]
    msgid_plural: str | None = None
    flags: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    obsolete: bool = False  # "#~": no longer in the sources, kept in case the text comes back


def _po_string(quoted: str) -> str:
    return ast.literal_eval(quoted)  # a .po string is a C string; these escapes match Python's


def read_po(path: Path) -> list[Message]:
    """The entries of a .po or .pot file in file order, the header (msgid "") and obsolete ones included."""
    messages: list[Message] = []
    fields: dict[str, str] = {}  # msgid, msgid_plural, msgstr or msgstr[N] -> text
    flags: list[str] = []
    refs: list[str] = []
    keyword = ""
    obsolete = False

    def finish() -> None:
        if "msgid" in fields:
            plural = sorted(key for key in fields if key.startswith("msgstr["))
            strs = [fields[key] for key in plural] if plural else [fields.get("msgstr", "")]
            messages.append(
                Message(fields["msgid"], strs, fields.get("msgid_plural"), tuple(flags), tuple(refs), obsolete)
            )
        fields.clear()
        flags.clear()
        refs.clear()

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        old = line.startswith("#~")
        line = line.removeprefix("#~").strip()
        starts_entry = line.startswith("#") or line.startswith("msgid ")
        if starts_entry and keyword.startswith("msgstr"):  # the previous entry is complete
            finish()
            keyword = ""
        obsolete = old if line.startswith("msgid ") else obsolete
        if not line:
            continue
        if line.startswith("#,"):
            flags.extend(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#:"):
            refs.extend(line[2:].split())
        elif line.startswith("#"):
            continue
        elif line.startswith('"') and keyword:
            fields[keyword] += _po_string(line)
        else:
            keyword, _space, value = line.partition(" ")
            if not re.fullmatch(r"msgid|msgid_plural|msgstr|msgstr\[\d\]", keyword):
                raise InstallError(f"{path}:{number}: cannot read {raw!r}")
            fields[keyword] = _po_string(value)
    finish()
    return messages


def write_mo(messages: Sequence[Message], path: Path) -> None:
    """A GNU .mo file of the translated, non-fuzzy entries (the header always), as msgfmt writes it."""
    table = {}
    for message in messages:
        if ("fuzzy" in message.flags and message.msgid) or message.obsolete or not all(message.msgstr):
            continue
        key = message.msgid if message.msgid_plural is None else f"{message.msgid}\0{message.msgid_plural}"
        table[key.encode()] = "\0".join(message.msgstr).encode()
    keys = sorted(table)
    start = 7 * 4 + 16 * len(keys)  # header, then the two tables of (length, offset), then the strings
    ids, strs, id_index, str_index = b"", b"", [], []
    for key in keys:
        id_index += [len(key), start + len(ids)]
        ids += key + b"\0"
    for key in keys:
        str_index += [len(table[key]), start + len(ids) + len(strs)]
        strs += table[key] + b"\0"
    header = [0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, 0]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(struct.pack(f"<{7 + 4 * len(keys)}I", *header, *id_index, *str_index) + ids + strs)


def compile_catalogs(po_source: Path, locale_dir: Path) -> list[str]:
    """``<lang>.po`` -> ``locale_dir/<lang>/LC_MESSAGES/halloween-mask.mo``; returns the languages.

    ``locale_dir`` always exists afterwards: the plug-in names it to GIMP, which warns about a missing one.
    """
    locale_dir.mkdir(parents=True, exist_ok=True)
    languages = []
    for po in sorted(po_source.glob("*.po")):
        write_mo(read_po(po), locale_dir / po.stem / "LC_MESSAGES" / f"{GETTEXT_DOMAIN}.mo")
        languages.append(po.stem)
    return languages

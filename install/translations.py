#!/usr/bin/env python3
"""Keep po/ in step with the sources (standard library only; no gettext tools needed).

    python3 install/translations.py           # rewrite po/halloween-mask.pot, merge it into po/*.po
    python3 install/translations.py --check   # exit 1 if either is out of date (the tests run this)

Messages are the literal strings in ``_("...")``, ``N_("...")`` and ``ngettext("...", "...", n)``
calls of the plug-in's files and of the client modules it bundles. Merging keeps every existing
translation of an unchanged message, adds new messages untranslated and keeps the translations
of removed ones as obsolete ``#~`` entries (reused if the text comes back);
``install.py`` compiles the .po files into the plug-in's ``locale/`` folder.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from hm_installer.catalogs import Message, read_po
from hm_installer.layout import CLIENT_SOURCE, GETTEXT_DOMAIN, PLUGIN_SOURCE, PO_SOURCE, REPO

TEMPLATE = PO_SOURCE / f"{GETTEXT_DOMAIN}.pot"
MARKERS = {"_": 1, "N_": 1, "ngettext": 2}  # function name -> how many leading literal arguments
BRACE_FIELD = re.compile(r"(?<!\{)\{[a-z_]+\}")
POT_HEADER = (
    "Project-Id-Version: halloween-mask\n"
    "Report-Msgid-Bugs-To: \n"
    "Language: \n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\n"
)


class ExtractionError(Exception):
    """A marked message that cannot be in the template (an f-string)."""


def source_files() -> list[Path]:
    """The files whose messages a person sees in GIMP, in a fixed order."""
    plugin = sorted(path for path in PLUGIN_SOURCE.rglob("*.py") if "__pycache__" not in path.parts)
    client = sorted(path for path in CLIENT_SOURCE.rglob("*.py") if "__pycache__" not in path.parts)
    return plugin + client


def extract(files: Iterable[Path]) -> list[Message]:
    """Every marked message once, in order of first appearance, with the files that use it."""
    found: dict[tuple[str, str | None], Message] = {}
    first_use: dict[tuple[str, str | None], tuple[int, int, int]] = {}
    for index, path in enumerate(files):
        reference = path.relative_to(REPO).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in MARKERS):
                continue
            texts = node.args[: MARKERS[node.func.id]]
            if any(isinstance(arg, ast.JoinedStr) for arg in texts):
                raise ExtractionError(
                    f"{reference}:{node.lineno}: an f-string in {node.func.id}() cannot be translated"
                )
            if not all(isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in texts):
                continue  # a message marked where it is defined (N_), translated here
            key = (texts[0].value, texts[1].value if len(texts) > 1 else None)
            message = found.setdefault(key, Message(key[0], [], key[1]))
            if reference not in message.references:
                message.references += (reference,)
            first_use[key] = min(
                first_use.get(key, (index, node.lineno, node.col_offset)), (index, node.lineno, node.col_offset)
            )
    return [found[key] for key in sorted(found, key=first_use.__getitem__)]


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n") + '"'


def _field(keyword: str, text: str) -> list[str]:
    if "\n" not in text.rstrip("\n"):
        return [f"{keyword} {_quote(text)}"]
    return [f'{keyword} ""'] + [_quote(line) for line in text.splitlines(keepends=True)]


def format_po(header: str, messages: Sequence[Message], plurals: int) -> str:
    """A .po (or, with ``plurals`` 0, the .pot) text; references name files, not lines, to stay stable."""
    lines = [*_field("msgid", ""), *_field("msgstr", header), ""]
    for message in messages:
        entry = _entry(message, plurals)
        lines += [f"#~ {line}" for line in entry] if message.obsolete else entry
        lines.append("")
    return "\n".join(lines)


def _entry(message: Message, plurals: int) -> list[str]:
    lines = []
    if message.references and not message.obsolete:
        lines.append("#: " + " ".join(message.references))
    if BRACE_FIELD.search(message.msgid) and not message.obsolete:
        lines.append("#, python-brace-format")
    lines += _field("msgid", message.msgid)
    if message.msgid_plural is None:
        return lines + _field("msgstr", message.msgstr[0] if message.msgstr else "")
    lines += _field("msgid_plural", message.msgid_plural)
    for index in range(plurals or 2):
        lines += _field(f"msgstr[{index}]", message.msgstr[index] if index < len(message.msgstr) else "")
    return lines


def plural_count(header: str) -> int:
    """``nplurals`` of a .po header (2 when it does not say)."""
    match = re.search(r"nplurals\s*=\s*(\d+)", header)
    return int(match.group(1)) if match else 2


def merged(template: Sequence[Message], po: Path) -> str:
    """``po`` rewritten with the template's messages, keeping the translations it already has.

    Translations of messages the sources no longer use stay at the end as obsolete (``#~``)
    entries, so a message that comes back (an edit undone) gets its translation back.
    """
    old = read_po(po)
    header = next((m.msgstr[0] for m in old if m.msgid == ""), "")
    known = {(m.msgid, m.msgid_plural): m.msgstr for m in old if m.msgid and all(m.msgstr)}
    current = {(m.msgid, m.msgid_plural) for m in template}
    messages = [
        Message(m.msgid, known.get((m.msgid, m.msgid_plural), []), m.msgid_plural, (), m.references) for m in template
    ]
    messages += [
        Message(msgid, msgstr, plural, obsolete=True)
        for (msgid, plural), msgstr in known.items()
        if (msgid, plural) not in current
    ]
    return format_po(header, messages, plural_count(header))


def expected() -> dict[Path, str]:
    """What the template and every translation should hold now."""
    template = extract(source_files())
    texts = {TEMPLATE: format_po(POT_HEADER, template, 0)}
    for po in sorted(PO_SOURCE.glob("*.po")):
        texts[po] = merged(template, po)
    return texts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report what is out of date (exit 1)")
    args = parser.parse_args(argv)
    try:
        texts = expected()
    except ExtractionError as error:
        print(error, file=sys.stderr)
        return 1
    stale = [path for path, text in texts.items() if not path.is_file() or path.read_text(encoding="utf-8") != text]
    for path in stale:
        name = path.relative_to(REPO)
        if args.check:
            print(f"{name} is out of date: run python3 install/translations.py", file=sys.stderr)
        else:
            path.write_text(texts[path], encoding="utf-8")
            print(f"updated {name}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())

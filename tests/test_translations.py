"""The plug-in in eight languages: po/ complete and current, placeholders intact, .mo files gettext reads."""

from __future__ import annotations

import gettext
import importlib
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import translations
from halloween_mask import i18n
from halloween_mask.config import validate_base_url
from halloween_mask.cost import cost_line
from halloween_mask.errors import (
    AuthError,
    ErrorKind,
    HalloweenMaskError,
    NoFaceError,
    SettingsError,
    UnsupportedFormatError,
)
from halloween_mask.preflight import check_upload
from halloween_mask.styles import style
from hm_installer import bundle, catalogs, checks, layout

REPO = Path(__file__).resolve().parents[1]

LANGUAGES = ("de", "es", "fr", "it", "ja", "pt_BR", "ru", "zh_CN")
FIELD = re.compile(r"\{[a-z_]*\}|%[sd]")
IDENTIFIER = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")  # AILAB_API_KEY: no mnemonic
TEMPLATE = translations.extract(translations.source_files())
CATALOGS = {po.stem: catalogs.read_po(po) for po in sorted(layout.PO_SOURCE.glob("*.po"))}
ENTRIES = [(lang, m) for lang, messages in CATALOGS.items() for m in messages if m.msgid]


def _mnemonics(text: str) -> int:
    return IDENTIFIER.sub("", text).count("_")  # "_OK", "Mask st_yle", "OK(_O)"


def _id(entry: tuple[str, catalogs.Message]) -> str:
    return f"{entry[0]}:{entry[1].msgid[:40]}"


@pytest.fixture
def compiled(tmp_path: Path) -> Path:
    locale = tmp_path / "locale"
    assert catalogs.compile_catalogs(layout.PO_SOURCE, locale) == sorted(CATALOGS)
    return locale


@pytest.fixture
def german(compiled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "_catalog", i18n._catalog)  # restored after the test
    i18n.use(gettext.translation(i18n.DOMAIN, compiled, languages=["de"]))


def test_the_installed_plugin_carries_every_catalog(tmp_path: Path) -> None:
    plugin = bundle.install_into(tmp_path / "profile")
    found = sorted(p.relative_to(plugin).as_posix() for p in (plugin / "locale").rglob("*.mo"))
    assert found == [f"locale/{lang}/LC_MESSAGES/halloween-mask.mo" for lang in LANGUAGES]
    assert checks.check_layout(plugin) == []
    shutil.rmtree(plugin / "locale")
    assert checks.check_layout(plugin) == [f"{plugin / 'locale'} is missing (the translations)"]


def test_the_template_and_every_translation_are_current() -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "install" / "translations.py"), "--check"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr


def test_the_eight_languages_exist() -> None:
    assert tuple(CATALOGS) == LANGUAGES


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_of_the_template_is_translated(lang: str) -> None:
    header = next(m.msgstr[0] for m in CATALOGS[lang] if m.msgid == "")
    plurals = translations.plural_count(header)
    translated = {(m.msgid, m.msgid_plural): m.msgstr for m in CATALOGS[lang] if m.msgid}
    for message in TEMPLATE:
        msgstr = translated.get((message.msgid, message.msgid_plural))
        assert msgstr and all(msgstr), f"{lang}: untranslated {message.msgid!r}"
        assert len(msgstr) == (1 if message.msgid_plural is None else plurals), f"{lang}: {message.msgid!r}"
    assert f"Language: {lang}\n" in header


@pytest.mark.parametrize("entry", ENTRIES, ids=_id)
def test_placeholders_and_mnemonics_match(entry: tuple[str, catalogs.Message]) -> None:
    lang, message = entry
    fields = sorted(FIELD.findall(message.msgid))
    for msgstr in message.msgstr:
        assert sorted(FIELD.findall(msgstr)) == fields, f"{lang}: {msgstr!r}"
        assert _mnemonics(msgstr) == _mnemonics(message.msgid), f"{lang}: {msgstr!r}"
        assert msgstr.count("\n") == message.msgid.count("\n"), f"{lang}: {msgstr!r}"


def test_both_english_forms_of_a_plural_carry_the_same_fields() -> None:
    """The singular form is not only for 1 (Russian uses it for 21): it must be able to say the number."""
    lacking = [
        m.msgid
        for m in TEMPLATE
        if m.msgid_plural is not None and sorted(FIELD.findall(m.msgid)) != sorted(FIELD.findall(m.msgid_plural))
    ]
    assert not lacking, lacking


def _subclasses(cls: type) -> list[type]:
    return [cls, *(sub for child in cls.__subclasses__() for sub in _subclasses(child))]


def test_every_advice_text_is_in_the_template() -> None:
    """An advice text someone adds without N_() would reach GIMP users in English only."""
    import halloween_mask

    for module in pkgutil.walk_packages(halloween_mask.__path__, "halloween_mask."):
        importlib.import_module(module.name)
    msgids = {m.msgid for m in TEMPLATE}
    advice = {kind.value for kind in ErrorKind} | {c.advice for c in _subclasses(HalloweenMaskError) if c.advice}
    assert advice - msgids == set(), "mark these with N_() and run install/translations.py"


# The labels with mnemonics that share one window ("plain": HALLOWEEN_MASK_DIALOG=plain, GIMP's own layout).
FILTER_OPTIONS = ("_Template image", "Template lay_er", "_Aspect ratio", "_Wait at most (seconds)")
SOURCES = ("_Built-in style", "Template image _file", "Te_mplate layer")  # the "Use" radio buttons
PLACES = ("New layer abo_ve the source", "New _image")  # the "Put the result in" radio buttons
WINDOWS = {
    "filter dialog": ("_Go to style", *SOURCES, *FILTER_OPTIONS, *PLACES, "Make a _new one ({credits} credits)"),
    "plain filter dialog": ("Mask st_yle", *SOURCES, *FILTER_OPTIONS, *PLACES, "Re_use a kept result"),
    "variants dialog": ("_Go to style", "Mask st_yles", "_Aspect ratio", "_Wait at most (seconds)"),
    "plain variants dialog": (
        "Mask st_yles",
        "_Aspect ratio",
        "_Wait at most (seconds)",
        "Re_use a kept result",
    ),
    "key prompt": ("_Cancel", "_OK", "Sho_w the key"),
    "upload notice": ("_Help", "_Cancel", "C_ontinue"),
    "diagnostics": ("_Close", "Cop_y", "_Test connection", "_Help"),
    "AI menu": ("_Halloween Mask...", "Halloween Mask _Variants...", "Halloween Mask on _All Open Images..."),
    "many masks question": ("_Cancel", "_Make them"),
}
# The mnemonics of GIMP's own buttons in a procedure dialog (Help, Reset, Cancel, OK, Load Saved
# Settings, Save Settings), as GIMP 3's catalogs (gimp30-libgimp) have them: the labels must not take them.
GIMP_BUTTONS = {
    "en": "hrcols",
    "de": "hzcogs",
    "es": "yrcacg",
    "fr": "hrnvcs",
    "it": "aruols",
    "ja": "hrcols",
    "pt_BR": "arcors",
    "ru": "сстoзс",  # noqa: RUF001 (Cyrillic letters, and the untranslated _OK's Latin o)
    "zh_CN": "hrcols",
}
PROCEDURE_DIALOGS = {name for name in WINDOWS if name.endswith(("filter dialog", "variants dialog"))}


def _key(label: str) -> str:
    return re.search(r"_(\w)", IDENTIFIER.sub("", label)).group(1).lower()


@pytest.mark.parametrize("lang", ("en", *LANGUAGES))
@pytest.mark.parametrize("window", WINDOWS)
def test_mnemonics_in_one_window_differ(lang: str, window: str) -> None:
    messages = CATALOGS.get(lang, [])  # English: the labels themselves
    translated = {m.msgid: m.msgstr[0] for m in messages if m.msgid and not m.obsolete}
    keys = [_key(translated[label] if messages else label) for label in WINDOWS[window]]
    assert len(set(keys)) == len(keys), f"{lang} {window}: {keys}"
    if window in PROCEDURE_DIALOGS:
        assert not set(keys) & set(GIMP_BUTTONS[lang]), f"{lang} {window}: {keys} against GIMP's {GIMP_BUTTONS[lang]}"


def test_gettext_reads_every_compiled_message(compiled: Path) -> None:
    for lang, messages in CATALOGS.items():
        catalog = gettext.translation(i18n.DOMAIN, compiled, languages=[lang])
        for m in messages:
            if not m.msgid or m.obsolete:
                continue
            if m.msgid_plural is None:
                assert catalog.gettext(m.msgid) == m.msgstr[0]
            else:
                counts = {"ru": (1, 3, 5)}.get(lang, (1, 5)[: len(m.msgstr)])
                assert [catalog.ngettext(m.msgid, m.msgid_plural, n) for n in counts] == m.msgstr


def test_the_client_speaks_the_plugins_language(german: None) -> None:
    assert str(AuthError()).startswith("Der API-Schlüssel wurde abgelehnt.")
    assert "https://www.ailabtools.com/developer/keys" in str(AuthError())
    assert str(NoFaceError("no face", task_id="t1")).endswith("(no face) [task t1]")  # service text, ids as sent
    assert style(7).label == "Maske 7"
    assert cost_line() == "OK kostet 15 Credits"
    with pytest.raises(SettingsError, match="verwendet unverschlüsseltes HTTP"):
        validate_base_url("http://example.com")
    with pytest.raises(UnsupportedFormatError, match=r"die Vorlage ist leer \(0 Bytes\)"):
        check_upload(b"", role="template")


def test_without_a_catalog_everything_stays_english() -> None:
    assert str(AuthError()).startswith("The API key was rejected.")
    assert style(7).label == "Mask 7" and cost_line() == "OK costs 15 credits"


def test_a_translated_fstring_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(translations, "REPO", tmp_path)
    source = tmp_path / "bad.py"
    source.write_text('name = "x"\nprint(_(f"Hello {name}"))\n', encoding="utf-8")
    with pytest.raises(translations.ExtractionError, match=r"bad\.py:2"):
        translations.extract([source])


def test_a_po_file_survives_a_round_trip(tmp_path: Path) -> None:
    for lang, messages in CATALOGS.items():
        header = messages[0].msgstr[0]
        path = tmp_path / f"{lang}.po"
        path.write_text(
            translations.format_po(header, messages[1:], translations.plural_count(header)), encoding="utf-8"
        )
        assert [(m.msgid, m.msgid_plural, m.msgstr, m.obsolete) for m in catalogs.read_po(path)] == [
            (m.msgid, m.msgid_plural, m.msgstr, m.obsolete) for m in messages
        ]


def test_a_translation_survives_its_message_leaving_and_coming_back(tmp_path: Path) -> None:
    po = tmp_path / "de.po"
    both = [catalogs.Message("Mask {number}", []), catalogs.Message("New image", [])]
    po.write_text(
        translations.format_po(
            "Language: de\n",
            [catalogs.Message("Mask {number}", ["Maske {number}"]), catalogs.Message("New image", ["Neues Bild"])],
            2,
        ),
        encoding="utf-8",
    )
    po.write_text(translations.merged(both[:1], po), encoding="utf-8")  # "New image" left the sources
    assert [(m.msgid, m.obsolete) for m in catalogs.read_po(po)][1:] == [("Mask {number}", False), ("New image", True)]
    compiled = tmp_path / "locale"
    catalogs.compile_catalogs(tmp_path, compiled)
    assert gettext.translation(i18n.DOMAIN, compiled, languages=["de"]).gettext("New image") == "New image"
    po.write_text(translations.merged(both, po), encoding="utf-8")  # and came back
    assert [(m.msgid, m.msgstr, m.obsolete) for m in catalogs.read_po(po)][1:] == [
        ("Mask {number}", ["Maske {number}"], False),
        ("New image", ["Neues Bild"], False),
    ]

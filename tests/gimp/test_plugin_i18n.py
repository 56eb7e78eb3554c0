"""The plug-in in the user's language inside a real GIMP: menu entry, arguments, dialog, messages.

GIMP is started with ``LANG=<lang>_<COUNTRY>.UTF-8`` as a person's desktop session would; the
plug-in's texts and the client's advice come from GIMP's own gettext (``do_set_i18n`` binds the
domain to the plug-in's ``locale`` folder). The GUI test saves the menu and both dialogs in
German and Japanese under artifacts/gimp-e2e/gimp-<version>/.
"""

from __future__ import annotations

import time

import pytest
from gui_support import image_window_ready, open_from_filters_menu, shoot
from plugin_batch import PORTRAIT, plugin_env

LOCALES = {"de": "de_DE.UTF-8", "ja": "ja_JP.UTF-8", "fr": "fr_FR.UTF-8", "nl": "nl_NL.UTF-8"}
# What GIMP shows, in the words of po/<lang>.po.
EXPECTED = {
    "de": {
        "menu_label": "_Halloween-Maske…",  # no space before "…": GIMP strips only "…" (Repeat)
        "menu_paths": ["<Image>/Filters/KI"],
        "style_nick": "_Maskenstil",
        "error": "Es wurde kein verwendbares Gesicht gefunden.",
        "layer_name": "Halloween-Maske 3",
        "dialog": "^Halloween-Maske$",
        "variants_dialog": "^Halloween-Maske \u2013 Varianten$",
        "cost_line": "OK kostet 15 Credits",
    },
    "ja": {
        "menu_label": "ハロウィンマスク(_H)...",
        "menu_paths": ["<Image>/Filters/AI"],
        "style_nick": "マスクのスタイル(_Y)",
        "error": "使用できる顔が見つかりませんでした。",
        "layer_name": "ハロウィンマスク 3",
        "dialog": "^ハロウィンマスク$",
        "variants_dialog": "^ハロウィンマスクのバリエーション$",
        "cost_line": "OK で 15 クレジットを消費します",
    },
    "fr": {
        "menu_label": "Masque d\u2019_Halloween…",
        "menu_paths": ["<Image>/Filters/IA"],
        "style_nick": "S_tyle de masque",
        "error": "Aucun visage exploitable n\u2019a été trouvé.",
        "layer_name": "Masque d\u2019Halloween 3",
    },
    "nl": {  # GIMP speaks Dutch; the plug-in has no Dutch catalog and stays English
        "menu_label": "_Halloween Mask...",
        "menu_paths": ["<Image>/Filters/AI"],
        "style_nick": "Mask st_yle",
        "error": "No usable face was found.",
        "layer_name": "Halloween Mask 3",
    },
}


pytestmark = [pytest.mark.emulator(failures_by_style={2: "submit_reject"}), pytest.mark.usefixtures("fresh_emulator")]


@pytest.mark.parametrize("lang", ["de", "ja", "fr", "nl"])
def test_gimp_in_the_users_language_registers_translated_labels(run_gimp_batch, make_gimp_profile, emu, lang):
    profile = make_gimp_profile()  # fresh: the plug-in is queried in this language
    env = plugin_env(emu.base_url, f"{profile.home_inside}/settings.json", LANG=LOCALES[lang])
    result = run_gimp_batch("plugin_i18n/registration.py", env, files={"portrait.png": PORTRAIT}, profile=profile)
    report, expected = result.report, EXPECTED[lang]
    assert report["menu_label"] == expected["menu_label"]
    assert report["menu_paths"] == expected["menu_paths"]
    assert report["style_nick"] == expected["style_nick"]
    assert expected["error"] in report["error"], report["error"]  # the client's advice, via GIMP's error
    assert report["made"] == ["success", None] and report["layer_name"] == expected["layer_name"]


def test_a_new_language_is_picked_up_at_the_next_start(run_gimp_batch, make_gimp_profile, emu):
    profile = make_gimp_profile()
    env = plugin_env(emu.base_url, f"{profile.home_inside}/settings.json")
    assert run_gimp_batch("plugin_i18n/labels.py", env, profile=profile).report["menu_label"] == "_Halloween Mask..."
    german = run_gimp_batch("plugin_i18n/labels.py", {**env, "LANG": LOCALES["de"]}, profile=profile).report
    assert german["menu_label"] == EXPECTED["de"]["menu_label"], "GIMP kept the English labels it had cached"


def test_gimps_language_preference_is_followed(run_gimp_batch, make_gimp_profile, emu):
    """Preferences > Interface > Language (gimprc) wins over the system's language."""
    profile = make_gimp_profile()
    (profile.host / "gimprc").write_text('(language "ja")\n', encoding="utf-8")
    env = plugin_env(emu.base_url, f"{profile.home_inside}/settings.json", LANG=LOCALES["de"])
    report = run_gimp_batch("plugin_i18n/labels.py", env, profile=profile).report
    assert report["menu_label"] == EXPECTED["ja"]["menu_label"]


def test_english_stays_english(run_gimp_batch, gimp_profile, emu):
    env = plugin_env(emu.base_url, f"{gimp_profile.home_inside}/settings.json")
    report = run_gimp_batch("plugin_i18n/registration.py", env, files={"portrait.png": PORTRAIT}).report
    assert report["menu_label"] == "_Halloween Mask..." and report["menu_paths"] == ["<Image>/Filters/AI"]
    assert "No usable face was found." in report["error"]
    assert report["layer_name"] == "Halloween Mask 3"


@pytest.mark.parametrize("lang", ["de", "ja"])
def test_the_menu_and_the_dialog_in_the_users_language(gui_session, make_gimp_profile, emu, lang):
    profile = make_gimp_profile()
    env = plugin_env(emu.base_url, f"{profile.home_inside}/settings.json", HM_IMAGE="portrait.png", LANG=LOCALES[lang])
    session = gui_session(env=env, files={"portrait.png": PORTRAIT}, profile=profile)  # previews from the emulator
    window = image_window_ready(session)
    cost_line = f"dialog: {EXPECTED[lang]['cost_line']}"  # what the dialog shows, as it logs it
    for mnemonic, title, name in (("h", "dialog", "dialog"), ("v", "variants_dialog", "dialog-variants")):
        # Filters is "Filte_r", "フィルター(_R)"; the entries keep their mnemonics: "(_H)", "_Varianten";
        # the dialog's title is in the user's language.
        dialog = open_from_filters_menu(session, window, mnemonic, EXPECTED[lang][title], shot=f"menu-{lang}")
        if name == "dialog":
            session.wait_for(lambda: cost_line in session.log(), cost_line, 20)
        time.sleep(3.0)  # the gallery's previews arrive
        shoot(session, f"{name}-{lang}", dialog)
        session.key("Escape", wid=dialog, delay=1.0)

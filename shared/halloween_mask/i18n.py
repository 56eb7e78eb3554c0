"""Messages in the user's language: one gettext domain shared by the GIMP plug-in and the client.

The plug-in hands :func:`use` the translations GIMP loads for it (``do_set_i18n`` binds the
domain to the plug-in's ``locale`` folder), so the client's advice texts come out in the
language of its dialog and of GIMP itself. Until then (the CLI, tests) :func:`_` and
:func:`ngettext` return the English text unchanged.

Mark a message with ``_("...")`` where it is shown, or with ``N_("...")`` where it is defined
before the language is known (class constants); ``install/translations.py`` finds both.
"""

from __future__ import annotations

import gettext

DOMAIN = "halloween-mask"

_catalog: gettext.NullTranslations = gettext.NullTranslations()


def use(translations: gettext.NullTranslations) -> None:
    """Translate every message from now on with ``translations`` (a ``gettext`` catalog)."""
    global _catalog
    _catalog = translations


def _(message: str) -> str:
    """``message`` in the user's language."""
    return _catalog.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a message for ``count`` in the user's language."""
    return _catalog.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is defined; ``_`` translates it where it is shown."""
    return message

"""Messages in the user's language: one gettext domain shared by the GIMP plug-in and the client.

The plug-in calls :func:`use_catalog` with its ``locale`` folder, the one its ``do_set_i18n``
names to GIMP, so the client's advice texts come out in the same language as its dialog. Until
then (the CLI, tests) :func:`_` and :func:`ngettext` return the English text unchanged.

Mark a message with ``_("...")`` where it is shown, or with ``N_("...")`` where it is defined
earlier than the language is known (class constants); ``install/translations.py`` finds both.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Sequence

DOMAIN = "halloween-mask"

_catalog: gettext.NullTranslations = gettext.NullTranslations()


def use_catalog(localedir: str | os.PathLike[str], languages: Sequence[str] | None = None) -> None:
    """Translate from ``<localedir>/<lang>/LC_MESSAGES/halloween-mask.mo``.

    ``languages`` defaults to the environment (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``),
    which GIMP sets for its plug-ins from its own language preference; a language without a
    catalog falls back to English.
    """
    global _catalog
    _catalog = gettext.translation(DOMAIN, os.fspath(localedir), languages=languages, fallback=True)


def _(message: str) -> str:
    """``message`` in the user's language."""
    return _catalog.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a message for ``count`` in the user's language."""
    return _catalog.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is defined; ``_`` translates it where it is shown."""
    return message

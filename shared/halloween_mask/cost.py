"""What a run costs and what is left: one plain line for a dialog, never an error.

The service charges 15 credits for each successful mask (failed requests cost nothing). The
balance comes from the credits query, which never charges; a missing or refused key or an
unreachable service gives a plain sentence instead of a number.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from .client import Client
from .config import Settings, load_settings
from .errors import AuthError, HalloweenMaskError
from .i18n import _, ngettext
from .responses import CreditPool
from .transport import RetryPolicy

log = logging.getLogger(__name__)

CREDITS_PER_MASK = 15
POOLS = ("portrait_ai_halloween_masks", "common")  # the pools a Halloween mask can be paid from
CREDITS_DEADLINE = 15.0  # seconds: the line is a courtesy, not worth a long wait


def cost_line(masks: int = 1) -> str:
    """``"OK costs 15 credits"`` (or ``45`` for three masks)."""
    credits = CREDITS_PER_MASK * masks
    return ngettext("OK costs {credits} credit", "OK costs {credits} credits", credits).format(credits=credits)


def balance_line(settings: Settings | None = None) -> str:
    """``"about 666 masks left"``, or why the balance is not known; asks the service (free of charge)."""
    try:
        settings = settings or load_settings()
    except HalloweenMaskError as error:
        return _("balance unknown ({reason})").format(reason=error.message)
    if settings.api_key is None:
        return _("no API key yet: OK asks for one")
    try:
        with Client(
            settings.api_key, settings.base_url, deadline=CREDITS_DEADLINE, retry=RetryPolicy(attempts=2)
        ) as client:
            pools = client.credits()
    except AuthError:
        if settings.source == "environment":
            return _("the API key in AILAB_API_KEY was refused")
        return _("the stored API key was refused: OK asks for another")
    except HalloweenMaskError as error:
        log.info("credits query failed: %s", error.kind.name)
        return _("balance unknown (the service cannot be reached now)")
    masks = masks_left(pools)
    return ngettext("about {masks} mask left", "about {masks} masks left", masks).format(masks=f"{masks:,}")


def masks_left(pools: Iterable[CreditPool]) -> int:
    """How many masks the pools that pay for them (Halloween, then universal credits) still cover."""
    return int(sum(pool.balance for pool in pools if pool.unique_sign in POOLS) // CREDITS_PER_MASK)

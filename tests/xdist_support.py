"""One pytest-xdist worker per GIMP series: the scheduler behind ``-n 2 --dist loadgroup``.

Every GIMP test of one series (id ``[gimp-3.0]``, ``[gimp-3.0-de]`` ...) is one unit of work,
so one worker runs them all and makes that root's session fixtures (scratch, profile) once, while
the other series runs on the other worker; every other test is a unit of its own. The group is
read from the node id because pytest 9.2's node ids no longer carry xdist's own ``@group``
suffix, which silently stops ``xdist_group`` marks from grouping (pytest-xdist issue 1386).
"""

from __future__ import annotations

import re
from typing import Any

# A GIMP test's id names its series as one dash-separated part of its parameters.
GIMP_SERIES_ID = re.compile(r"^tests/gimp/[^\[]*\[(?:.*-)?(?P<group>gimp-\d+\.\d+)(?:-.*)?\]$")


def gimp_group(nodeid: str) -> str | None:
    """``gimp-3.0`` for a GIMP test of series 3.0, ``None`` for a test of no series."""
    match = GIMP_SERIES_ID.match(nodeid)
    return match["group"] if match else None


def series_scheduler(config: Any, log: Any) -> Any:
    """xdist's loadgroup scheduler, grouping by GIMP series (and by ``xdist_group`` where that works)."""
    from xdist.scheduler import LoadGroupScheduling  # only under xdist

    class SeriesScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return gimp_group(nodeid) or super()._split_scope(nodeid)

    return SeriesScheduling(config, log)

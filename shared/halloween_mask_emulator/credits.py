"""Credit pools: the universal ``common`` pool and the Halloween pool, charged per completed task."""

from __future__ import annotations

import threading
import time
from typing import Any

from .config import CREDITS_PER_TASK

HALLOWEEN_POOL = "portrait_ai_halloween_masks"


class Ledger:
    """Balances that tasks draw from; thread-safe."""

    def __init__(self, common: int, halloween: int) -> None:
        self._lock = threading.Lock()
        self._created = int(time.time())
        self.set(common, halloween)

    def set(self, common: int, halloween: int) -> None:
        with self._lock:
            now = int(time.time())
            self._pools = {
                "common": {"name": "Universal credits", "balance": common, "total": common},
                HALLOWEEN_POOL: {"name": "AI Halloween Mask", "balance": halloween, "total": halloween},
            }
            for pool in self._pools.values():
                pool.update(last_recharge_balance=pool["total"], last_update_time=now)

    def can_pay(self) -> bool:
        with self._lock:
            return any(pool["balance"] >= CREDITS_PER_TASK for pool in self._pools.values())

    def charge(self) -> None:
        """Take one task's price, from the Halloween pool when it can pay, else from ``common``."""
        with self._lock:
            pool = self._pools[HALLOWEEN_POOL]
            if pool["balance"] < CREDITS_PER_TASK:
                pool = self._pools["common"]
            pool["balance"] = max(0, pool["balance"] - CREDITS_PER_TASK)
            pool["last_update_time"] = int(time.time())

    def balance(self, pool: str = "common") -> int:
        with self._lock:
            return self._pools[pool]["balance"]

    def as_data(self) -> list[dict[str, Any]]:
        """The ``data`` array of the credits query."""
        with self._lock:
            return [
                {
                    "unique_sign": sign,
                    "name": pool["name"],
                    "balance": pool["balance"],
                    "total": pool["total"],
                    "last_recharge_balance": pool["last_recharge_balance"],
                    "balance_warning": 10 * CREDITS_PER_TASK,
                    "first_buy_time": self._created,
                    "last_update_time": pool["last_update_time"],
                }
                for sign, pool in self._pools.items()
            ]

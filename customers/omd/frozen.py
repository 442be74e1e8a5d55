"""Which accuracy months are frozen, as the app that freezes them says.

The months are frozen by the accuracy roll-up in `reports`, a layer above `customers`: reports
registers a provider here when it is ready (reports.apps), so the OMD import can say how many of
its rows fall in frozen months, which the reconciliation does not look at, without importing it.
With no provider registered (reports not installed) no month is frozen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

FrozenMonths = Callable[[], Iterable[date]]

_provider: FrozenMonths | None = None


def register_frozen_months(provider: FrozenMonths) -> None:
    """Set the function that returns the first day of each frozen month."""
    global _provider
    _provider = provider


def frozen_months() -> list[date]:
    """The first day of each frozen month, in order."""
    return sorted(_provider()) if _provider is not None else []

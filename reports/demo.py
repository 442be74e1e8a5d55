"""Demo roll-up: reconcile the demo archives against the demo OMD export, as the nightly job would."""


def load() -> str:
    from reports.services import accuracy_reconcile

    result = accuracy_reconcile()
    if not result.ran:
        return "reconciliation already running"
    return (
        f"reconciled months={len(result.months)} discrepancies found={result.found} "
        f"created={result.created} frozen={len(result.frozen)}"
    )

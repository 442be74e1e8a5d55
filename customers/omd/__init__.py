"""The OMD invoice import pipeline: read → validate → stage → classify (preview) → apply.

The public API is `customers.omd.service`; the steps live in their own modules:
`columns` (headers and per-row validation), `stage` (staged rows, COPY), `plan` (the
set-based classification: reverts, red-letter pairing, counts), `apply` (the set-based upsert
and history), `worker` (claims, the heartbeat, handing back imports whose worker died),
`selectors` (what the pages, API and command read), `frozen` (which accuracy months are frozen).
"""

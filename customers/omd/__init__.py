"""The OMD invoice import pipeline: read → validate → stage → classify (preview) → apply.

The public API is `customers.omd.service`; the steps live in their own modules:
`columns` (headers and per-row validation), `stage` (staged rows, COPY), `plan` (the
set-based classification and red-letter pairing), `apply` (the set-based upsert and history).
"""

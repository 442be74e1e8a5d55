"""The reconciliation of closed-deal archives against OMD invoices, and the discrepancy desk.

``matching``: the set-based nightly comparison that creates, updates and closes discrepancies.
``desk``: the desk's work on them (assign, note, resolve, reopen) and its reads.
"""

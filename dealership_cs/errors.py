"""Refusals the services raise that are not a bad value but a clash with the data as it stands.

A ``ValidationError`` says a value is wrong (a form shows it at the field, the API answers 400); a
``Conflict`` says the request is fine but the data forbids it now (deleting someone records still
point to): the pages show its message, the API answers 409 with the message and its details.
"""

from __future__ import annotations

from typing import Any


class Conflict(Exception):
    """The request clashes with the stored data; ``details`` says with what (JSON-ready)."""

    code = "conflict"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code is not None:
            self.code = code

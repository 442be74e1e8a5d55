"""Reads of the callback desk: the desk itself, callback authenticity for the accuracy grade, supervision."""

from callbacks.selectors.desk import (
    DESK_PREFETCH,
    DESK_RELATED,
    CallContext,
    QueueCounts,
    agent_queue,
    agent_queue_counts,
    call_context,
    customer_callback_events,
)
from callbacks.selectors.verification import CallbackVerification, sales_callback_verification

__all__ = [
    "DESK_PREFETCH",
    "DESK_RELATED",
    "CallContext",
    "CallbackVerification",
    "QueueCounts",
    "agent_queue",
    "agent_queue_counts",
    "call_context",
    "customer_callback_events",
    "sales_callback_verification",
]

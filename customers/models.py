"""Customers models (filled by later issues)."""

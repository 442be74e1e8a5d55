"""Callbacks models (filled by later issues)."""

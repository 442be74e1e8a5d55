"""Official scores models (filled by later issues)."""

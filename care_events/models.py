"""Customer care models (filled by later issues)."""

"""Reports models (filled by later issues)."""

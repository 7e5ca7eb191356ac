"""zflow zimage plugin (being written)."""

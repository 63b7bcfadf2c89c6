"""The operations context's projectors: each bulk operation, its progress and its items."""

"""The screening context's tables, views and queries."""

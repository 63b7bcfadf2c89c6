"""The operations context's tables, views and queries."""

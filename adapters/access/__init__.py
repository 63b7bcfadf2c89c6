"""The access-control context's tables, views and queries."""

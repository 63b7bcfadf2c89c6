"""The waitlists context's tables, views and queries."""

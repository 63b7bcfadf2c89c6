"""The registration context's tables, view and queries."""

"""The platform context's tables, view and queries."""

"""The auditor's history: an index of every domain event of every context."""

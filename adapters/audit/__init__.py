"""The auditor's history table, its view and queries, and the reads of payloads and past states."""

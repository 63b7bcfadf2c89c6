"""Approval workflows: definitions with parallel branches and joins, and the engine running one."""

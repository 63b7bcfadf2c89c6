"""Accredit's domain: aggregates, events, rules, and the applications that run commands."""

"""Logs and metrics: one log format for every process, Prometheus metrics across processes."""

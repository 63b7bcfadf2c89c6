"""The workloads of scripts/bench_projections.py: histories, and plain SQL doing their work."""

"""The parts of scripts/bench_scans.py: its data set-up, scanner devices, load and checks."""

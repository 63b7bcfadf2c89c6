"""The screening context's HTTP resources: duplicate review, merges, the blacklist."""

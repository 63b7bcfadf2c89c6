"""The screening context: duplicate detection and review, merges, and the blacklist."""

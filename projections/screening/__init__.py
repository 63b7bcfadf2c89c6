"""The screening context's projectors: duplicate candidates, merge history, the blacklist."""

"""What analysts are given: the catalogue of projection tables, and read-only roles."""

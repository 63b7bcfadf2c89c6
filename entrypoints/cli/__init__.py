"""The `accredit` command line."""

"""Background workers, each run by `accredit serve` or alone with `accredit worker NAME`."""

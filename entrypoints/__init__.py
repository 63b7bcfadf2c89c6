"""Ways into Accredit: the HTTP app, the CLI, the worker processes."""

"""The shared kernel: what every context's domain uses (applications, causes, errors, names)."""

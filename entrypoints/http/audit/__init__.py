"""HTTP resources of the auditor: the history, one aggregate's domain events, past states."""

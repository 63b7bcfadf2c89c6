"""HTTP resources of the access-control context."""

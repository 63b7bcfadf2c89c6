"""HTTP resources of the platform context: the caller's tenant and its API keys."""

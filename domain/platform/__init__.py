"""The platform context: tenants with their feature flags, and API keys with their permissions."""

"""The platform's read models: tenants and API keys."""

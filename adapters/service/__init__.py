"""The service's own stores: idempotency records, rate-limit counters, API key usage."""

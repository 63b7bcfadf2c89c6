"""HTTP resources for operators: health, readiness and projection status."""

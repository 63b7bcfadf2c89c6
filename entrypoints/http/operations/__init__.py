"""The operations context's HTTP resources: bulk operations, their preflight and progress."""

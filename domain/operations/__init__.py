"""Long-running work asked for over the API: bulk operations."""

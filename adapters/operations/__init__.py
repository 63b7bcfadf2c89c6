"""The operations context's read models: bulk operations and their items."""

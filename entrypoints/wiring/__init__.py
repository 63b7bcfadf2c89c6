"""The composition root: the list of contexts, and the container built from it."""

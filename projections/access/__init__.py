"""Projectors of the access-control context."""

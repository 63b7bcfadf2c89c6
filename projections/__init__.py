"""Projectors (domain event -> view change) and the view interfaces they write to."""

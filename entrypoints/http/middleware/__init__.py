"""Cross-cutting HTTP behaviour, one concern per module, in the order create_app uses."""

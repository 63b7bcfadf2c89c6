"""The access-control context: zones, checkpoints, credentials and the scans at the gates."""

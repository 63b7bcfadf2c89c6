"""Infrastructure: SQL tables and views, persistence settings, stores, outbound I/O."""

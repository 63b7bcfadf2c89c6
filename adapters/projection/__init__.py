"""The projection engine: runners, tracking, log reading, decoding, rebuilds, verification."""

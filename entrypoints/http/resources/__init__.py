"""HTTP resources: load the body, call one application method, dump the answer."""

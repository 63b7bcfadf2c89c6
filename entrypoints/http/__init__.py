"""The HTTP API: a thin Falcon layer over the applications and the views."""

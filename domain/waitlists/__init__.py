"""The waitlists context: who waits for a seat, in which order, and the offers that seat them."""

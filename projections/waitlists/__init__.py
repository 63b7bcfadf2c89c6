"""The waitlists context's projectors: current positions, offers and the promotion history."""

"""The waitlists context's HTTP resources: settings, entries, offers and the history."""

"""The registration context: managed events, their seat ledgers and participants."""

"""The registration read models: managed events, workflow versions, participants and steps."""

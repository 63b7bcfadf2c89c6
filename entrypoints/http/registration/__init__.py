"""HTTP resources of the registration context: events, workflows, participants and steps."""

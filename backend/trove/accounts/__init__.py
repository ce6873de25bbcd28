"""Users, their passwords and their tokens."""

"""Lab 14: Structured logging."""

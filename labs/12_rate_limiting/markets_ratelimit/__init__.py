"""Lab 12: Rate limiting."""

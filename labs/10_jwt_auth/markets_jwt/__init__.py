"""Lab 10: JWT authentication."""

"""Lab 04: Middleware."""

"""Lab 07: Caching."""

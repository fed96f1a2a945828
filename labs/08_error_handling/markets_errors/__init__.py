"""Lab 08: Centralized error handling."""

"""Lab 09: Retry with exponential backoff."""

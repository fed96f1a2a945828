"""Lab 13: Background jobs and queues."""

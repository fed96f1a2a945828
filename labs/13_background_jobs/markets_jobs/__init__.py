"""Lab 13: background jobs and queues — an index job enqueued after commit, retried, idempotent."""

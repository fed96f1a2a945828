"""Lab 05: list markets with creator, tags and position count in a constant number of queries."""

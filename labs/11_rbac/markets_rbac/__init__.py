"""Lab 11: Role-based access control."""

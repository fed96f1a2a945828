"""Lab 12 set-up: lab-local fixtures."""

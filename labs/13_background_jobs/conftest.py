"""Lab 13 set-up: lab-local fixtures."""

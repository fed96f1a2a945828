"""Lab 11 set-up: lab-local fixtures."""

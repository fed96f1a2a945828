"""Lab 10 set-up: lab-local fixtures."""

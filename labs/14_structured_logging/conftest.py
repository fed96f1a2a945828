"""Lab 14 set-up: lab-local fixtures."""

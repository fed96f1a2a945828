"""Lab 04 set-up: lab-local fixtures."""

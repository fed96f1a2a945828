"""Lab 09 set-up: lab-local fixtures."""

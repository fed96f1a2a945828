"""Lab 07 set-up: lab-local fixtures."""

"""Lab 08 set-up: lab-local fixtures."""

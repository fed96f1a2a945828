"""The markets on Django and Django REST framework."""

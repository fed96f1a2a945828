"""The Markets API in Django REST framework."""

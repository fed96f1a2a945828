"""The Markets API in Django REST framework (settings: see the lab's conftest.py)."""

"""The markets API in Django REST framework (settings: see the lab's conftest.py)."""

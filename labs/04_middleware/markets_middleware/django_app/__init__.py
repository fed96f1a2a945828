"""The markets API in Django REST framework, behind the Django middleware you write."""

"""The Markets API in Django REST framework (given); the access log is `django_access`."""

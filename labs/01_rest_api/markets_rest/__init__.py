"""The Markets REST API, one contract served by Django REST framework, FastAPI and Flask.

Given (read, do not edit): `domain` (the Market), `store` (in-memory storage), `contract`
(constants and the error envelope), `schemas` (Pydantic wire models), `django_api.serializers`
and `django_api.urls`. Yours: `listing`, `django_api.views`, `fastapi_app`, `flask_app`.
"""

"""Lab 08: one error handler per framework, one body for every error.

Given (read, do not edit): `request_id` (the id minted per request, and the log filter that
stamps it), `access` (bearer tokens and the create rate limit), `schemas` (Pydantic wire
models), `db` (SQLAlchemy tables and the market service), `django_app` (models, services,
views, URLs, middleware). Yours: `errors`, `rendering`, `django_app/handlers.py`, and the
sections marked "yours" in `fastapi_app` and `flask_app`.
"""

"""A small markets API behind a request pipeline: request id, timing, an auth gate.

Given (read, do not edit): `contract` (the routes' policy and the error envelope), `auth`
(bearer tokens), `clock` (the time the timing middleware reads), `markets` (in-memory data),
`django_app.views` / `django_app.urls`, `fastapi_app`, `flask_app`.
Yours: `headers`, `django_app.middleware`, `fastapi_middleware`, `flask_middleware`.
"""

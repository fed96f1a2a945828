"""Lab 06 — Transactions: orders that debit a balance and open a position, all or nothing.

`orders` holds what both ORMs share (the result type, the domain errors, the request
fingerprint); `django_orm` and `sqlalchemy_orm` each hold models (given) and `services`
(yours); `django_orm.views`, `fastapi_app` and `flask_app` are thin HTTP adapters (given).
"""

"""Lab 14: structured logging — JSON lines, request context, redaction, an access log.

Given: `requestid` (lab 04's request-id rule), `routes`, `envelope`, `service` and the three
apps (`django_app/`, `fastapi_app`, `flask_app`). Yours: `redaction` (task 1), `context`
(task 2), `logconfig` (task 3), `access` and the three `*_access` modules (task 4).
"""

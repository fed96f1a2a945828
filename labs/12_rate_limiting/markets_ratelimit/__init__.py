"""Lab 12: a Redis-backed sliding-window rate limiter in Django, FastAPI and Flask."""

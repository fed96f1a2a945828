"""Lab 10: JWT authentication for the Markets API, in Django, FastAPI and Flask."""

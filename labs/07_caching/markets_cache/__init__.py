"""Lab 07: a Redis cache-aside repository for markets, served by Django, FastAPI and Flask."""

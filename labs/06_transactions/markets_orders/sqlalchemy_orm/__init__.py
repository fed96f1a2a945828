"""The SQLAlchemy 2 side (FastAPI and Flask tracks): models and engine (given), services (yours)."""

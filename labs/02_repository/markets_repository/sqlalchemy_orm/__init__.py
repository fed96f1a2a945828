"""The SQLAlchemy side (shared by the FastAPI and Flask tracks): tables and the repository."""

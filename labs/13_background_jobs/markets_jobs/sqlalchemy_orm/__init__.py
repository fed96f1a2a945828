"""The markets on SQLAlchemy 2, shared by the FastAPI and Flask apps."""

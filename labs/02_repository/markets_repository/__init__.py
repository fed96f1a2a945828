"""Lab 02: one `MarketRepository` port, three adapters (in memory, Django ORM, SQLAlchemy)."""

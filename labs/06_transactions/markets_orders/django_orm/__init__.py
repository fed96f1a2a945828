"""The Django side: models (given), services (yours), a thin DRF view over them (given)."""

"""The Django side: ORM model and repository (given), module-level service hook (given),
DRF views (yours, task 6)."""

"""Compatibility path for labs and notebooks: see `patterns_workbook.testing.redis_factory`."""

from patterns_workbook.testing.redis_factory import describe, make_redis, redis_url

__all__ = ["describe", "make_redis", "redis_url"]

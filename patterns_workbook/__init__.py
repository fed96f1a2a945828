"""Tooling for the Backend Patterns Workbook: catalog, Redis factory, pytest plugin, CLI."""

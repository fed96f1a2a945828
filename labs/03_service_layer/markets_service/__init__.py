"""Lab 03 — the service layer: business rules in `MarketService`, thin views around it.

Kept import-free on purpose: `markets_service.embedding` must load in a bare interpreter.
"""

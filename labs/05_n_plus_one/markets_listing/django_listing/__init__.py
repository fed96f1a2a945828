"""The Django side of the lab: models (given), selector (task 1), serializer (task 2), view."""

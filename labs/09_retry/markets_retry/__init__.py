"""Lab 09: retry with exponential backoff — a `retry` decorator, a retrying httpx client, and
an endpoint that stays honest when the pricing service it calls is down."""

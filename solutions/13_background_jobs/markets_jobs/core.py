"""Background jobs and queues: the piece of the pattern the learner writes."""


def describe(name: str) -> str:
    """The greeting for `name`, its surrounding whitespace removed: `Hello, Ada!`."""
    return f"Hello, {name.strip()}!"

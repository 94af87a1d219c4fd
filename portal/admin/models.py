"""Models for admin."""

__all__: list[str] = []

"""Relationships: a mentor and mentee who agreed to work together. No pages of their own yet:
the agreement's pages show the relationship."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing to register yet."""

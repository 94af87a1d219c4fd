"""Schemes."""

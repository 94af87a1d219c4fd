"""Relationships pages."""

from flask import Blueprint

bp = Blueprint("relationships", __name__)

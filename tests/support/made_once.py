"""What every test's app would make the same way, made once per test process instead.

The suite makes a new app for every test (its own database, settings and instance folder). Two
things each new app made again, although every app in a run makes them alike, took most of a
short test's time:

- **URL builders.** Werkzeug writes, parses and compiles a Python function to build each
  route's URLs, twice per route, when the route is added. The function depends only on the
  rule's text, its parts and its defaults, so it is kept by those and handed back to the next
  app's rule, which binds it as before: URLs are still built by Werkzeug's own code.
  ``create_app`` went from 65 ms to about 19 ms.
- **Compiled templates.** Each app's Jinja environment lexed, parsed and compiled every template
  a test renders. Jinja's own bytecode cache (``jinja2.BytecodeCache``), here kept in memory
  for the process, gives the next app the compiled code, checked against the template's source
  as Jinja always does; a changed template is compiled again.

Production makes one app per process, so it pays for either once; only the tests use this.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from werkzeug.routing.rules import Rule

_original_builder = Rule._compile_builder
_builders: dict[tuple, Any] = {}


def _builder_key(rule: Rule, append_unknown: bool) -> tuple:
    defaults = rule.defaults or {}
    # A default of a rule's own variable is written into the builder through its converter;
    # the others only name the builder's keyword arguments.
    resolved = tuple((name, rule._converters[name].to_url(value)) if name in rule._converters
                     else (name, repr(value)) for name, value in defaults.items())
    return (rule.rule, tuple(rule._trace), resolved, append_unknown)


def _compile_builder_once(self: Rule, append_unknown: bool = True):
    key = _builder_key(self, append_unknown)
    builder = _builders.get(key)
    if builder is None:
        builder = _builders[key] = _original_builder(self, append_unknown)
    return builder


class _CompiledTemplates(BytecodeCache):
    """Jinja's compiled templates, kept in memory for the test process."""

    def __init__(self) -> None:
        self._kept: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        kept = self._kept.get(bucket.key)
        if kept is not None:
            bucket.bytecode_from_string(kept)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._kept[bucket.key] = bucket.bytecode_to_string()


_templates = _CompiledTemplates()


def install() -> None:
    """Keep URL builders from now on in this process (idempotent)."""
    Rule._compile_builder = _compile_builder_once


def share_templates(app: Flask) -> None:
    """Give ``app`` the templates earlier apps of this process compiled."""
    app.jinja_env.bytecode_cache = _templates

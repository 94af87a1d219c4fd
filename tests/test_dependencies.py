"""Dependencies: no version with a known hole is allowed, and a fresh machine installs exactly
the versions the tests passed with (constraints.txt, which `make install` and CI read)."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        (spec,) = requirement.specifier  # exactly one, and it must be ==
        assert spec.operator == "==", line
        pins[canonicalize_name(requirement.name)] = spec.version
    return pins


def _requirements(extra: str | None = None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = project["optional-dependencies"][extra] if extra else project["dependencies"]
    return [Requirement(line) for line in lines]


def test_flask_with_cve_2025_47278_is_not_allowed():
    (flask,) = [r for r in _requirements() if r.name == "Flask"]
    assert not flask.specifier.contains("3.1.0")
    assert flask.specifier.contains("3.1.1")


def test_every_dependency_is_pinned_within_its_range():
    pins = _pins()
    for requirement in _requirements() + _requirements("test"):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt pins {requirement.name} {pins[name]}, outside {requirement}")


def test_the_installed_versions_are_the_pinned_ones():
    """What this run tests is what constraints.txt promises a fresh machine. (Packages that
    only `make audit` installs, pip-audit and its own needs, may be absent.)"""
    pins = _pins()
    for requirement in _requirements() + _requirements("test"):
        name = canonicalize_name(requirement.name)
        assert metadata.version(name) == pins[name], name
    for name, version in pins.items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
        assert installed == version, name

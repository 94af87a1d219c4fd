"""The one state-machine helper every model with states moves through."""

from __future__ import annotations

import enum
from types import SimpleNamespace

import pytest

from portal.db import Lifecycle, TransitionRefused
from portal.errors import DomainError


class Light(enum.StrEnum):
    RED = "red"
    GREEN = "green"
    AMBER = "amber"


LIGHTS = Lifecycle({Light.RED: {Light.GREEN}, Light.GREEN: {Light.AMBER},
                    Light.AMBER: {Light.RED}})


def test_an_allowed_change_moves_the_state():
    light = SimpleNamespace(state=Light.RED)
    LIGHTS.move(light, Light.GREEN)
    assert light.state == Light.GREEN


def test_a_change_the_table_does_not_allow_changes_nothing():
    light = SimpleNamespace(state=Light.RED)
    with pytest.raises(TransitionRefused):
        LIGHTS.move(light, Light.AMBER)
    assert light.state == Light.RED


def test_a_model_words_the_refusal_for_people():
    light = SimpleNamespace(state=Light.RED)
    with pytest.raises(DomainError, match="already red"):
        LIGHTS.move(light, Light.RED, refuse=lambda item, to: DomainError(f"already {to}"))
    assert light.state == Light.RED


def test_every_state_needs_a_row_in_the_table():
    with pytest.raises(ValueError, match="no row"):
        Lifecycle({Light.RED: {Light.GREEN}})

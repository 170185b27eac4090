"""The composition root: the only place that reads settings and builds the hub's parts.

Everything here is a function called at start-up (by the CLI, a service entry point or a test);
nothing is built at import time. Tests pass overrides instead of patching globals.
"""

from __future__ import annotations

from typing import Any

from hub.settings import Settings


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with keyword overrides taking precedence."""
    return Settings(**overrides)

"""Shared fixtures: the embedded model converted once per test session, in a temporary state dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models cache shared by the whole session (the GGUF conversion happens once)."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def smollm2_folder(model_cache: Path) -> Path:
    from assistant.model import model_folder

    return model_folder(None, model_cache)

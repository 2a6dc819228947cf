"""Shared fixtures: the embedded model converted once per test session, in a temporary state dir."""

from __future__ import annotations

import os
from collections.abc import Iterator
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


@pytest.fixture(scope="session")
def smollm2_two_layers(smollm2_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SmolLM2 cut to its first two decoder layers: the same tokenizer, chat template and tied embeddings at
    a fraction of the compute, for tests that train and serve adapters end to end."""
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    folder = tmp_path_factory.mktemp("smollm2-2layer")
    config = LlamaConfig.from_pretrained(smollm2_folder)
    config.num_hidden_layers = 2
    LlamaForCausalLM.from_pretrained(smollm2_folder, config=config).save_pretrained(folder)
    AutoTokenizer.from_pretrained(smollm2_folder).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def single_torch_thread() -> Iterator[None]:
    """One torch thread for a module's model runs. On 2 cores shared with other work, torch's second thread
    waits on a descheduled core and a run takes twice as long or more; one thread keeps the time predictable."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)

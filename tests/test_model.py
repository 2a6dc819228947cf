"""Model loading: GGUF conversion cache, precisions, toolken rows and the adapter registry check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoTokenizer

from assistant.config import ModelConfig
from assistant.model import ModelLoadError, load_base, load_model, model_folder
from assistant.toolkens import ToolkenMismatch, ToolkenRegistry, add_toolkens
from tools.base import Tool, ToolResult


class Echo(Tool):
    description = "Repeats the text it is given."
    parameters = {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}

    def __init__(self, name: str = "echo", parameters: dict[str, Any] | None = None):
        self.name = name
        if parameters is not None:
            self.parameters = parameters

    def run(self, arguments: dict[str, Any]) -> ToolResult:
        return ToolResult(value=arguments["text"])


def test_gguf_is_converted_once_into_a_plain_folder(smollm2_folder: Path, model_cache: Path):
    assert (smollm2_folder / "config.json").is_file()
    assert "quantization_config" not in (smollm2_folder / "config.json").read_text()
    assert list(smollm2_folder.glob("*.safetensors"))
    stamp = (smollm2_folder / "config.json").stat().st_mtime_ns
    assert model_folder(None, model_cache) == smollm2_folder
    assert (smollm2_folder / "config.json").stat().st_mtime_ns == stamp  # cached, not rebuilt


def test_unusable_model_paths_are_clear_errors(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelLoadError, match="no config.json"):
        model_folder(tmp_path / "empty", tmp_path)
    (tmp_path / "weights.bin").write_bytes(b"\0" * 16)
    with pytest.raises(ModelLoadError, match="neither a model folder nor a .gguf"):
        model_folder(tmp_path / "weights.bin", tmp_path)
    (tmp_path / "broken.gguf").write_bytes(b"not a gguf file")
    with pytest.raises(ModelLoadError, match="cannot load GGUF"):
        model_folder(tmp_path / "broken.gguf", tmp_path / "cache")


@pytest.mark.parametrize("precision, layer", [("nf4", "Linear4bit"), ("int8", "Linear8bitLt"), ("bf16", "Linear")])
def test_quantised_and_half_precisions_load_and_run_on_cpu(smollm2_folder: Path, precision: str, layer: str):
    model, tokenizer = load_base(smollm2_folder, precision, torch.device("cpu"))
    projection = model.model.layers[0].self_attn.q_proj
    assert type(projection).__name__ == layer
    if precision == "nf4":
        assert projection.weight.quant_state.nested  # double quantization
    ids = tokenizer("The capital of France is", return_tensors="pt").input_ids
    with torch.inference_mode():
        logits = model(ids).logits
    assert logits.shape[-1] == model.config.vocab_size and torch.isfinite(logits.float()).all()


def test_toolkens_start_at_the_mean_of_their_description(smollm2_folder: Path):
    model, tokenizer = load_base(smollm2_folder, "fp32", torch.device("cpu"))
    base_rows = model.get_input_embeddings().weight.detach().clone()
    tool = Echo()
    registry = add_toolkens(model, tokenizer, [tool])
    (toolken,) = registry.toolkens
    assert toolken.token == "<tool:echo>" and toolken.token_id == len(tokenizer) - 1
    description = tokenizer(f"echo: {tool.description}", add_special_tokens=False)["input_ids"]
    weight = model.get_input_embeddings().weight
    assert torch.allclose(weight[toolken.token_id], base_rows[description].mean(dim=0), atol=1e-6)
    assert torch.equal(weight[: len(base_rows)], base_rows)  # no other row moved
    assert tokenizer.tokenize("<tool:echo>{") == ["<tool:echo>", "{"]  # one token, never split


def test_adapter_with_trained_toolkens_loads_and_is_checked(smollm2_folder: Path, model_cache: Path, tmp_path: Path):
    tools = [Echo("echo"), Echo("shout")]
    model, tokenizer = load_base(smollm2_folder, "fp32", torch.device("cpu"))
    registry = add_toolkens(model, tokenizer, tools)
    peft_model = get_peft_model(model, LoraConfig(r=4, target_modules=["q_proj"],
                                                  trainable_token_indices={"embed_tokens": registry.token_ids}))
    with torch.no_grad():  # stand-in for training: move the toolken rows
        for name, parameter in peft_model.named_parameters():
            if "trainable_tokens_delta" in name:
                parameter.add_(0.5)
    # The toolken rows travel in the trainable-tokens delta; the whole embedding matrix must not.
    peft_model.save_pretrained(tmp_path / "adapter", save_embedding_layers=False)
    registry.save(tmp_path / "adapter")
    assert (tmp_path / "adapter" / "adapter_model.safetensors").stat().st_size < 2_000_000
    trained_row = peft_model.get_input_embeddings()(torch.tensor([registry.token_ids[0]])).detach()

    loaded = load_model(ModelConfig(path=smollm2_folder, adapter=tmp_path / "adapter", device="cpu"), tools, model_cache)
    assert loaded.registry == registry
    served_row = loaded.model.get_input_embeddings()(torch.tensor([registry.token_ids[0]])).detach()
    assert torch.allclose(served_row, trained_row, atol=1e-6)

    with pytest.raises(ToolkenMismatch, match="not trained on: extra"):
        load_model(ModelConfig(path=smollm2_folder, adapter=tmp_path / "adapter"), tools + [Echo("extra")], model_cache)
    with pytest.raises(ToolkenMismatch, match="config lacks: shout"):
        load_model(ModelConfig(path=smollm2_folder, adapter=tmp_path / "adapter"), tools[:1], model_cache)
    changed = Echo("shout", {"type": "object", "properties": {"loud": {"type": "boolean"}}})
    with pytest.raises(ToolkenMismatch, match="schema changed since training: shout"):
        load_model(ModelConfig(path=smollm2_folder, adapter=tmp_path / "adapter"), [tools[0], changed], model_cache)


def test_registry_round_trips_and_rejects_a_foreign_folder(tmp_path: Path, smollm2_folder: Path):
    tokenizer = AutoTokenizer.from_pretrained(smollm2_folder)
    model, _ = load_base(smollm2_folder, "fp32", torch.device("cpu"))
    registry = add_toolkens(model, tokenizer, [Echo()])
    registry.save(tmp_path)
    assert ToolkenRegistry.load(tmp_path) == registry
    with pytest.raises(ToolkenMismatch, match="elsewhere does not exist"):
        ToolkenRegistry.load(tmp_path / "elsewhere")
    (tmp_path / "weights-only").mkdir()
    with pytest.raises(ToolkenMismatch, match="has no toolkens.json"):
        ToolkenRegistry.load(tmp_path / "weights-only")
    (tmp_path / "toolkens.json").write_text("{not json")
    with pytest.raises(ToolkenMismatch, match="not a valid toolken registry"):
        ToolkenRegistry.load(tmp_path)
    other = ToolkenRegistry(registry.toolkens, base_vocab_size=123)
    model, tokenizer = load_base(smollm2_folder, "fp32", torch.device("cpu"))
    with pytest.raises(ToolkenMismatch, match="not the adapter's base model"):
        add_toolkens(model, tokenizer, [Echo()], other)

"""The served model as a GGUF file for llama.cpp: weights with the adapter merged, toolkens in the vocabulary.

llama.cpp decodes several times faster than a Python loop over a Hugging Face forward on a small CPU, but it
reads GGUF files only. `export_gguf` writes the loaded model (its LoRA already merged into the weights at
fp32/bf16, its toolken rows part of the embedding matrix and of the tied output head) as a llama-architecture
GGUF, the way llama.cpp's convert_hf_to_gguf.py would. `served_gguf` does it once per served combination and
keeps the file, so a restart reuses it and a promoted adapter gets a file of its own.

llama.cpp never tokenizes or detokenizes for us (the engine feeds token ids from the Hugging Face tokenizer),
so the file's vocabulary only has to load and to put every token, toolkens included, at its id.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, Literal

import gguf
import numpy as np
import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from assistant.model import LoadedModel, ModelLoadError

log = logging.getLogger(__name__)

GgufQuant = Literal["q8_0", "f16", "f32"]

#: Bumped whenever this module writes different bytes for the same model, so older cached files are not reused.
EXPORT_VERSION = 1
#: Under the models cache (the folder `load_model` converts into): one file per served combination.
GGUF_DIR = "gguf"

#: The file type recorded in the header, and the type of the 2-D weight matrices, per quant. Norms and other
#: 1-D tensors stay F32 in every file, as llama.cpp's converter keeps them; see `_tensor_type` for the head.
_FILE_TYPES: dict[str, gguf.LlamaFileType] = {
    "q8_0": gguf.LlamaFileType.MOSTLY_Q8_0,
    "f16": gguf.LlamaFileType.MOSTLY_F16,
    "f32": gguf.LlamaFileType.ALL_F32,
}
_MATRIX_TYPES: dict[str, gguf.GGMLQuantizationType] = {
    "q8_0": gguf.GGMLQuantizationType.Q8_0,
    "f16": gguf.GGMLQuantizationType.F16,
    "f32": gguf.GGMLQuantizationType.F32,
}
#: Rope kinds llama.cpp's llama architecture computes from header keys alone (llama3 and yarn need more).
_ROPE_TYPES = {"default", "linear"}


def served_gguf(loaded: LoadedModel, cache_dir: Path, quant: GgufQuant = "q8_0") -> Path:
    """The GGUF of `loaded` at `quant` under `cache_dir`/gguf (the models cache), exported on first use.

    The file is named after what decides its bytes: the model folder (its path and its weight files' sizes and
    times), the precision it was loaded at, the adapter's weights, the toolken registry and the quant; so a
    restart finds it again and another adapter gets its own file. It is written under a temporary name and
    renamed, so a file that exists is whole.
    """
    folder = Path(cache_dir) / GGUF_DIR
    target = folder / f"{loaded.source.name}-{quant}-{served_key(loaded, quant)}.gguf"
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    log.info("exporting the served model to %s (once for this model, adapter and toolkens)", target.name)
    handle, staging = tempfile.mkstemp(prefix=".export-", suffix=".gguf", dir=folder)
    os.close(handle)
    try:
        export_gguf(loaded, Path(staging), quant)
        os.replace(staging, target)
    finally:
        Path(staging).unlink(missing_ok=True)
    return target


def served_key(loaded: LoadedModel, quant: GgufQuant) -> str:
    """A short hash of everything the exported file depends on."""
    parts = {
        "export_version": EXPORT_VERSION,
        "quant": quant,
        "precision": loaded.precision,  # bf16 weights are rounded before the export sees them
        "model": _folder_fingerprint(loaded.source),
        "adapter": adapter_fingerprint(loaded.adapter) if loaded.adapter is not None else None,
        "toolkens": loaded.registry.to_json(),
    }
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def adapter_fingerprint(adapter: Path) -> str:
    """The sha256 of an adapter's configuration and weight files: retraining into the same folder changes it,
    its README or metrics do not."""
    digest = hashlib.sha256()
    files = sorted(p for p in Path(adapter).iterdir() if p.is_file() and _decides_adapter_weights(p))
    for path in files:
        digest.update(path.name.encode("utf-8") + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16]


def _decides_adapter_weights(path: Path) -> bool:
    return path.name == "adapter_config.json" or path.suffix in (".safetensors", ".bin")


def _folder_fingerprint(folder: Path) -> dict[str, Any]:
    """The model folder by path and by its weight files' sizes and modification times: a full fine-tune saved
    into the same folder makes a new key, without hashing gigabytes at every start."""
    weights = sorted(p for p in folder.iterdir() if p.suffix in (".safetensors", ".bin") or p.name == "config.json")
    return {"path": str(folder.resolve()), "files": [[p.name, p.stat().st_size, p.stat().st_mtime_ns] for p in weights]}


# ----------------------------------------------------------------------------------------------------
# Writing the file


def export_gguf(loaded: LoadedModel, target: Path, quant: GgufQuant = "q8_0") -> Path:
    """Write `loaded`'s model as a llama-architecture GGUF at `target`, its matrices at `quant`; return `target`.

    Raises ModelLoadError, with a one-line reason, for a model llama.cpp's llama architecture cannot run as it
    is (another architecture, rope scaling it would need extra tensors for, weights still quantised by
    bitsandbytes or an adapter left unmerged beside them).
    """
    if quant not in _FILE_TYPES:
        raise ModelLoadError(f"cannot export GGUF at {quant!r}: one of {', '.join(_FILE_TYPES)}")
    model = _plain_llama(loaded)
    config = model.config
    writer = gguf.GGUFWriter(path=str(target), arch=gguf.MODEL_ARCH_NAMES[gguf.MODEL_ARCH.LLAMA])
    try:
        _add_hyperparameters(writer, config, loaded, quant)
        vocab_rows = model.get_input_embeddings().weight.shape[0]
        _add_vocabulary(writer, loaded.tokenizer, loaded.source, vocab_rows)
        _add_tensors(writer, model, quant)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
    finally:
        writer.close()
    return target


def _plain_llama(loaded: LoadedModel) -> PreTrainedModel:
    """The loaded model when it is a plain llama-architecture model with float weights; else ModelLoadError."""
    model = loaded.model
    if hasattr(model, "get_base_model"):
        raise ModelLoadError(f"the model at {loaded.precision} keeps its adapter unmerged; the llama.cpp backend "
                             "needs it merged (precision fp32 or bf16)")
    if loaded.precision not in ("fp32", "bf16"):
        raise ModelLoadError(f"precision {loaded.precision} is bitsandbytes-quantised; the llama.cpp backend "
                             "exports fp32 or bf16 weights")
    if model.config.model_type != "llama":
        raise ModelLoadError(f"the llama.cpp backend exports llama-architecture models; {loaded.source.name} is "
                             f"{model.config.model_type!r}")
    return model


def _rope(config: Any) -> tuple[float, dict[str, Any]]:
    """The rope base and scaling of a llama config (transformers 5 `rope_parameters`, else older keys)."""
    parameters = dict(getattr(config, "rope_parameters", None) or {})
    if not parameters:
        parameters = {"rope_theta": config.rope_theta, **(getattr(config, "rope_scaling", None) or {})}
    kind = parameters.get("rope_type", parameters.get("type", "default"))
    if kind not in _ROPE_TYPES:
        supported = ", ".join(sorted(_ROPE_TYPES))
        raise ModelLoadError(f"rope scaling {kind!r} is not exported for llama.cpp (only {supported})")
    return float(parameters["rope_theta"]), parameters


def _add_hyperparameters(writer: gguf.GGUFWriter, config: Any, loaded: LoadedModel, quant: str) -> None:
    name = loaded.source.name + (f"+{Path(loaded.adapter).name}" if loaded.adapter is not None else "")
    writer.add_name(name)
    writer.add_file_type(_FILE_TYPES[quant])
    if quant == "q8_0":
        writer.add_quantization_version(gguf.GGML_QUANT_VERSION)
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    writer.add_context_length(config.max_position_embeddings)
    writer.add_embedding_length(config.hidden_size)
    writer.add_block_count(config.num_hidden_layers)
    writer.add_feed_forward_length(config.intermediate_size)
    writer.add_head_count(config.num_attention_heads)
    writer.add_head_count_kv(config.num_key_value_heads or config.num_attention_heads)
    writer.add_layer_norm_rms_eps(config.rms_norm_eps)
    writer.add_rope_dimension_count(head_dim)
    if head_dim != config.hidden_size // config.num_attention_heads:
        writer.add_key_length(head_dim)
        writer.add_value_length(head_dim)
    theta, rope = _rope(config)
    writer.add_rope_freq_base(theta)
    if rope.get("rope_type", rope.get("type")) == "linear":
        writer.add_rope_scaling_type(gguf.RopeScalingType.LINEAR)
        writer.add_rope_scaling_factor(float(rope["factor"]))


def _add_vocabulary(writer: gguf.GGUFWriter, tokenizer: PreTrainedTokenizerBase, source: Path, rows: int) -> None:
    """Every token at its id, the toolkens and other added tokens marked control (special) or user-defined,
    the BPE merges and the special ids; rows past the tokenizer's length (embedding padding) become unused
    placeholders, since llama.cpp takes the vocabulary size from the token list."""
    backend = json.loads(tokenizer.backend_tokenizer.to_str()) if tokenizer.is_fast else {}
    if (backend.get("decoder") or {}).get("type") != "ByteLevel":
        raise ModelLoadError("the llama.cpp backend exports byte-level BPE tokenizers (GPT-2 style) only; "
                             f"{source.name}'s is not one")
    count = len(tokenizer)
    tokens = tokenizer.convert_ids_to_tokens(list(range(count)))
    types = [gguf.TokenType.NORMAL] * count
    for token_id, added in tokenizer.added_tokens_decoder.items():
        if token_id < count:
            types[token_id] = gguf.TokenType.CONTROL if added.special else gguf.TokenType.USER_DEFINED
    tokens += [f"[PAD{index}]" for index in range(count, rows)]
    types += [gguf.TokenType.UNUSED] * (rows - count)
    writer.add_vocab_size(rows)
    writer.add_tokenizer_model("gpt2")
    # llama.cpp names pre-tokenizers by a hash of how they split a probe text (convert_hf_to_gguf.py's table);
    # it never tokenizes for the served path, so its generic one is declared rather than guessed.
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    special = gguf.SpecialVocab(source, load_merges=True, n_vocab=rows)
    special.add_to_gguf(writer, quiet=True)


def _add_tensors(writer: gguf.GGUFWriter, model: PreTrainedModel, quant: str) -> None:
    """Every weight under its llama.cpp name; q and k projections permuted into llama.cpp's rope layout."""
    config = model.config
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, config.num_hidden_layers)
    heads, kv_heads = config.num_attention_heads, config.num_key_value_heads or config.num_attention_heads
    state = model.state_dict()
    tied = "lm_head.weight" not in state or torch.equal(state["lm_head.weight"], state["model.embed_tokens.weight"])
    head = "token_embd.weight" if tied else "output.weight"
    for hf_name, tensor in state.items():
        if hf_name == "lm_head.weight" and tied:
            continue  # llama.cpp uses token_embd as the output head when the file has no output.weight
        name = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if name is None:
            raise ModelLoadError(f"no llama.cpp name for the tensor {hf_name}; the model is not a plain llama")
        data = tensor.detach().to(torch.float32).cpu().numpy()
        if hf_name.endswith(("self_attn.q_proj.weight", "self_attn.q_proj.bias")):
            data = _permute_for_rope(data, heads)
        elif hf_name.endswith(("self_attn.k_proj.weight", "self_attn.k_proj.bias")):
            data = _permute_for_rope(data, kv_heads)
        _add_tensor(writer, name, data, _tensor_type(name, data, quant, head))


def _permute_for_rope(weights: np.ndarray, heads: int) -> np.ndarray:
    """Reorder each head's rows from Hugging Face's rope layout (first half, second half) to llama.cpp's
    interleaved pairs; transformers undoes exactly this when it loads a llama GGUF. `weights` (heads *
    head_dim, ...) for a projection, (heads * head_dim,) for its bias."""
    return (
        weights.reshape(heads, 2, weights.shape[0] // heads // 2, *weights.shape[1:])
        .swapaxes(1, 2)
        .reshape(weights.shape)
    )


def _tensor_type(name: str, data: np.ndarray, quant: str, head: str) -> gguf.GGMLQuantizationType:
    """Matrices at `quant`, the rest F32; in a q8_0 file the output head (`head`) stays F16.

    The head's rounding moves the ranking of the next token most. On SmolLM2-135M with the demo adapter, over
    four chat prompts, llama.cpp's argmax agreed with the fp32 model's at 94% of positions with every matrix at
    Q8_0 and at 99% with the head at F16 (100% with all at F16), and the F16 head decoded no slower on AVX-512.
    """
    if data.ndim != 2:
        return gguf.GGMLQuantizationType.F32
    if name == head and quant == "q8_0":
        return gguf.GGMLQuantizationType.F16
    return _MATRIX_TYPES[quant]


def _add_tensor(writer: gguf.GGUFWriter, name: str, data: np.ndarray, kind: gguf.GGMLQuantizationType) -> None:
    """One tensor at `kind`. A matrix whose rows do not split into Q8_0 blocks of 32 falls back to F16, as
    llama.cpp's converter does."""
    if kind == gguf.GGMLQuantizationType.Q8_0:
        try:
            writer.add_tensor(name, gguf.quants.quantize(data, kind), raw_dtype=kind)
            return
        except gguf.QuantError:
            kind = gguf.GGMLQuantizationType.F16
    if kind == gguf.GGMLQuantizationType.F16:
        writer.add_tensor(name, data.astype(np.float16), raw_dtype=kind)
    else:
        writer.add_tensor(name, data.astype(np.float32), raw_dtype=kind)

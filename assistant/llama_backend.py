"""A decoding backend on llama.cpp: the served model, exported to GGUF, behind the engine's `Decoder` protocol.

The engine's toolken loop stays the same above it: it feeds token ids from the Hugging Face tokenizer and reads
next-token logits over the whole vocabulary, toolkens included. llama.cpp only computes those logits, about
four times faster on a small CPU than a Hugging Face forward called token by token from Python.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import llama_cpp
import numpy as np
import torch

from assistant.config import ModelConfig
from assistant.decoding import Decoder, shared_prefix
from assistant.gguf_export import served_gguf
from assistant.model import LoadedModel, ModelLoadError


class ContextFull(RuntimeError):
    """More tokens than the decoder's llama.cpp context holds; the message says how many."""


#: How to build llama-cpp-python for CPUs that advertise instructions their VM does not enable (AMX here):
#: portable code with AVX-512 chosen explicitly, instead of -march=native.
REBUILD = ('CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=ON" '
           "pip install --force-reinstall --no-deps --no-cache-dir --no-binary llama-cpp-python llama-cpp-python")

#: Run in a child by `check_llama_cpp`: load the file as `LlamaCppDecoder` does and decode two tokens.
_PROBE = """
import sys, llama_cpp
llama = llama_cpp.Llama(model_path=sys.argv[1], n_ctx=64, n_threads=1, use_extra_bufts=False, verbose=False)
llama.eval([1, 2])
"""
_PROBE_TIMEOUT_S = 120


def _llama_cpp_build() -> str:
    """A stamp of the installed llama.cpp libraries (names, sizes, times): a rebuild gets a new one."""
    libraries = sorted((Path(llama_cpp.__file__).parent / "lib").glob("*"))
    stamp = [(f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in libraries if f.is_file()]
    return hashlib.sha256(json.dumps(stamp).encode()).hexdigest()[:16]


def check_llama_cpp(model_path: Path) -> None:
    """Raise ModelLoadError, saying why and how to rebuild, unless this machine's llama.cpp decodes `model_path`.

    A llama-cpp-python built for another CPU (pip builds it with -march=native; a VM that advertises AMX without
    enabling it) dies with SIGILL at its first decode and would take the server with it; so the first decode
    runs in a child process. The verdict is kept beside the file per llama.cpp build, and later starts read it.
    """
    verdict_file = model_path.with_name(f"{model_path.name}.runs-{_llama_cpp_build()}.json")
    if verdict_file.is_file():
        problem = json.loads(verdict_file.read_text())["problem"]
    else:
        problem = _probe(model_path)
        verdict_file.write_text(json.dumps({"problem": problem}))
    if problem is not None:
        raise ModelLoadError(problem)


def _probe(model_path: Path) -> str | None:
    try:
        child = subprocess.run([sys.executable, "-c", _PROBE, str(model_path)], capture_output=True, text=True,
                               timeout=_PROBE_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return f"llama.cpp did not decode two tokens of {model_path.name} in {_PROBE_TIMEOUT_S} s"
    if child.returncode == 0:
        return None
    if child.returncode < 0:
        how = f"died with {signal.Signals(-child.returncode).name}"
    else:
        how = f"failed (exit {child.returncode}: {child.stderr.strip()[-300:]})"
    return (f"llama.cpp {how} decoding {model_path.name}: the installed llama-cpp-python was probably built for "
            f"another CPU. Rebuild it with: {REBUILD}")


def cpu_cores() -> int:
    """The cores this process may run on (its affinity, not the machine's count, under a container's limit)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class LlamaCppDecoder:
    """One llama.cpp context over a GGUF file: the KV state of one token sequence, kept across turns.

    The file is memory-mapped, so several decoders over the same file share its weights in the page cache;
    each has its own KV cache of `n_ctx` positions, allocated when it is made.
    """

    def __init__(self, model_path: Path, n_ctx: int, n_threads: int | None = None):
        threads = n_threads or cpu_cores()
        self._llama = llama_cpp.Llama(
            model_path=str(model_path),
            n_ctx=n_ctx,
            n_threads=threads,
            n_threads_batch=threads,
            logits_all=False,  # only the last position's logits are read
            use_mmap=True,
            # No repacked or AMX weight buffers: AMX kernels die on VMs that advertise AMX without enabling it,
            # and on F16 and Q8_0 weights the plain CPU buffer decoded as fast here.
            use_extra_bufts=False,
            verbose=False,
        )
        self.n_ctx = n_ctx  # llama.cpp may round its context up; the Python side's token array has n_ctx slots
        self.vocab_size = self._llama.n_vocab()
        self.held: list[int] = []

    def start(self, token_ids: list[int]) -> torch.Tensor:
        keep = shared_prefix(self.held, token_ids)
        # Positions from `keep` on leave the KV cache; the next decode writes its tokens there.
        llama_cpp.llama_memory_seq_rm(llama_cpp.llama_get_memory(self._llama.ctx), 0, keep, -1)
        self._llama.n_tokens = keep
        del self.held[keep:]
        return self.feed(token_ids[keep:])

    def feed(self, token_ids: list[int]) -> torch.Tensor:
        if len(self.held) + len(token_ids) > self.n_ctx:
            raise ContextFull(f"{len(self.held)} tokens held and {len(token_ids)} more do not fit the llama.cpp "
                              f"context of {self.n_ctx}")
        try:
            self._llama.eval(token_ids)
        finally:
            # eval advances n_tokens batch by batch: after a failure, `held` says what the KV cache really holds.
            self.held += token_ids
            del self.held[self._llama.n_tokens :]
        logits = llama_cpp.llama_get_logits_ith(self._llama.ctx, -1)
        # Copied: the buffer belongs to llama.cpp and the next decode overwrites it.
        return torch.from_numpy(np.ctypeslib.as_array(logits, shape=(self.vocab_size,)).copy())  # (vocab,)

    def close(self) -> None:
        """Free the context and unmap the file now rather than at garbage collection."""
        self._llama.close()


def llama_cpp_decoders(
    loaded: LoadedModel,
    model_config: ModelConfig,
    cache_dir: Path,
    n_ctx: int | None = None,
    n_threads: int | None = None,
) -> Callable[[], Decoder]:
    """Export `loaded` once (to `cache_dir`/gguf, at `model_config.gguf_quant`) and return a function that makes
    a fresh `LlamaCppDecoder` over the file at each call, one llama.cpp context each. ModelLoadError when the
    model cannot be exported or this machine's llama.cpp cannot decode it (`check_llama_cpp`).

    `cache_dir` is the models cache `load_model` was given. `n_ctx` (None: the model's trained context length,
    so every sequence the torch backend serves fits) sets each context's KV cache, allocated up front: for
    SmolLM2-135M 23 KB a position, 188 MB at 8192. `n_threads` (None: the usable cores) per context. The returned
    function holds the file's path, not the torch model, which the caller may drop once this returns.
    """
    if model_config.backend == "torch":
        raise ModelLoadError("model.backend is torch, not llama_cpp")
    path = served_gguf(loaded, cache_dir, model_config.gguf_quant)
    check_llama_cpp(path)
    context = n_ctx or loaded.model.config.max_position_embeddings

    def make() -> Decoder:
        return LlamaCppDecoder(path, context, n_threads)

    return make

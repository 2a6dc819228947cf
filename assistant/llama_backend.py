"""A decoding backend on llama.cpp: the served model, exported to GGUF, behind the engine's `Decoder` protocol.

The engine's toolken loop stays the same above it: it feeds token ids from the Hugging Face tokenizer and reads
next-token logits over the whole vocabulary, toolkens included. llama.cpp only computes those logits, about
four times faster on a small CPU than a Hugging Face forward called token by token from Python.
"""

from __future__ import annotations

import os
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
    a fresh `LlamaCppDecoder` over the file at each call, one llama.cpp context each.

    `cache_dir` is the models cache `load_model` was given. `n_ctx` (None: the model's trained context length,
    so every sequence the torch backend serves fits) sets each context's KV cache, allocated up front: for
    SmolLM2-135M 23 KB a position, 188 MB at 8192. `n_threads` (None: the usable cores) per context. The returned
    function holds the file's path, not the torch model, which the caller may drop once this returns.
    """
    if model_config.backend != "llama_cpp":
        raise ModelLoadError(f"model.backend is {model_config.backend!r}, not llama_cpp")
    path = served_gguf(loaded, cache_dir, model_config.gguf_quant)
    context = n_ctx or loaded.model.config.max_position_embeddings

    def make() -> Decoder:
        return LlamaCppDecoder(path, context, n_threads)

    return make

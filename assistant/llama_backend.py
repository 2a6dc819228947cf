"""A decoding backend on llama.cpp: the served model, exported to GGUF, behind the engine's `Decoder` protocol.

The engine's toolken loop stays the same above it: it feeds token ids from the Hugging Face tokenizer and reads
next-token logits over the whole vocabulary, toolkens included. llama.cpp only computes those logits, about
four times faster on a small CPU than a Hugging Face forward called token by token from Python.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import logging
import math
import mmap
import os
import signal
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import llama_cpp
import numpy as np
import torch

from assistant.config import ModelConfig
from assistant.decoding import Decoder
from assistant.gguf_export import served_gguf
from assistant.kv_states import Reuse, SavedState, SavedStates, reuse
from assistant.model import LoadedModel, ModelLoadError

#: Tokens one llama_decode takes at most; a longer prompt goes in several.
_BATCH = 512
#: A sequence's state is put aside (`SavedStates`) when a start would drop this many of its tokens or more, and
#: taken back when it holds this many more of a start's tokens than the sequence does. Saving and restoring 700
#: tokens' state (16 MB at F16) take about 10 and 2 ms, against 2.5 s to compute them on one core; the
#: thresholds keep a few changed tokens at a turn's end from copying megabytes.
_WORTH_SAVING = 64
_WORTH_RESTORING = 32
#: Prompt tokens one round of decoding writes at most, besides each waiting sequence's next token, so that a long
#: prompt holds up the others' next token a share at a time. Under 8 people on 2 cores (bench/serve_load.py; two
#: runs at 64, one at 128 and at 32) 64 answered 209 and 202 questions with a plain p95 first token of 3.2 and 3.8 s
#: and a document p95 of 5.4 and 5.2 s, where 128 answered 199 with 4.5 and 8.3 s; 32 answered 198 (3.2 and 7.8 s).
_ROUND = 64
# llama.cpp logs its model loading at INFO through this logger; only its errors belong in our log.
logging.getLogger("llama-cpp-python").setLevel(logging.ERROR)


class ContextFull(RuntimeError):
    """More tokens than the decoder's llama.cpp context holds; the message says how many."""


#: How to build llama-cpp-python for CPUs that advertise instructions their VM does not enable (AMX here):
#: portable code with AVX-512 chosen explicitly, instead of -march=native.
REBUILD = ('CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=ON" '
           "pip install --force-reinstall --no-deps --no-cache-dir --no-binary llama-cpp-python llama-cpp-python")

#: Run in a child by `check_llama_cpp`: load the file with the settings `LlamaCppContext` uses (no extra weight
#: buffers, flash attention) and decode two tokens. Through llama-cpp-python alone: this package would import torch.
_PROBE = """
import sys, llama_cpp
llama = llama_cpp.Llama(model_path=sys.argv[1], n_ctx=64, n_threads=1, use_extra_bufts=False, flash_attn=True,
                        verbose=False)
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


@dataclass
class _Feed:
    """Tokens for one sequence of a shared context, written at `position`, and what came of them."""

    sequence: int
    position: int
    token_ids: list[int]
    fed: int = 0  # tokens written so far
    logits: np.ndarray | None = None  # (vocab,) after the last token
    error: Exception | None = None

    @property
    def done(self) -> bool:
        return self.logits is not None or self.error is not None


class LlamaCppContext:
    """One llama.cpp context over a GGUF file, holding the KV state of `sequences` token sequences of up to
    `n_ctx` positions each, one per decoder; feeds of several sequences are decoded together.

    Decoding one token reads every weight of the model; decoding one token of each of eight sequences in one
    llama_decode reads them once: SmolLM2-135M (F16, one thread) takes 14.7 ms for one token and 56 ms for one
    of each of eight sequences, about 140 tokens/s in all. So a feed that arrives while a decode runs waits for
    it, and the next round of decoding takes every feed waiting by then: each sequence's next token, and
    `_ROUND` prompt tokens shared out shortest prompt first (`_round_shares`), so that a question's prompt is not
    queued behind a long document's; a feed with more goes on in the next round. The thread that finds no round
    running decodes for everyone (no thread of its own), and each feed's caller reads its own logits.

    The file is memory-mapped, so several contexts over the same file share its weights in the page cache; the
    KV cache (`sequences` * `n_ctx` positions) is allocated when the context is made. `flash_attn` (None: only
    for a context of one sequence) decodes with llama.cpp's fused attention.
    """

    def __init__(self, model_path: Path, n_ctx: int, sequences: int = 1, n_threads: int | None = None,
                 flash_attn: bool | None = None):
        threads = n_threads or cpu_cores()
        model_params = llama_cpp.llama_model_default_params()
        model_params.use_mmap = True
        # No repacked or AMX weight buffers: AMX kernels die on VMs that advertise AMX without enabling it, and
        # on F16 and Q8_0 weights the plain CPU buffer decodes as fast here.
        model_params.use_extra_bufts = False
        self._model = llama_cpp.llama_model_load_from_file(str(model_path).encode(), model_params)
        if not self._model:
            raise ModelLoadError(f"llama.cpp could not load {model_path}")
        params = llama_cpp.llama_context_default_params()
        params.n_seq_max = sequences
        params.n_ctx = sequences * n_ctx
        params.kv_unified = False  # a KV stream of n_ctx positions per sequence
        params.n_batch = params.n_ubatch = _BATCH
        params.n_threads = params.n_threads_batch = threads
        # llama.cpp's fused attention: 6-9% more tokens/s for SmolLM2-135M on 2 cores (F16 and Q8_0 files) where
        # one sequence decodes a token at a time. On the CPU it is slow for many queries against a long KV state,
        # which is a shared context's round (others' next tokens beside a share of prompt): with 1,200 tokens
        # held, 3 next tokens + 64 prompt ids took 0.8-1.7 s with it against 0.5-0.65 s without, one thread
        # (bench/llama_rounds.py), and every other sequence of the context waits that round for its next token.
        fused = sequences == 1 if flash_attn is None else flash_attn
        params.flash_attn_type = (llama_cpp.LLAMA_FLASH_ATTN_TYPE_ENABLED if fused else
                                  llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED)
        self._ctx = llama_cpp.llama_init_from_model(self._model, params)
        if not self._ctx:
            llama_cpp.llama_model_free(self._model)
            raise ModelLoadError(f"llama.cpp could not make a context of {sequences} x {n_ctx} positions")
        self._batch = llama_cpp.llama_batch_init(_BATCH, 0, 1)
        self._memory = llama_cpp.llama_get_memory(self._ctx)
        self.can_shift: bool = bool(llama_cpp.llama_memory_can_shift(self._memory))
        # Frees the C objects at close(), or when the context is collected, or at exit (whichever comes first).
        self._free = weakref.finalize(self, _free_llama, self._batch, self._ctx, self._model)
        self.n_ctx = n_ctx
        self.sequences = sequences
        self.vocab_size: int = llama_cpp.llama_vocab_n_tokens(llama_cpp.llama_model_get_vocab(self._model))
        self._state = threading.Condition()
        self._waiting: list[_Feed] = []
        self._decoding = False
        self._alone_asked = 0  # threads waiting to have the context alone (`_alone`): no round starts before them
        self._closed = False

    def decode(self, sequence: int, position: int, token_ids: list[int]) -> np.ndarray:
        """Write `token_ids` (non-empty) into `sequence` from `position` on, dropping what it held from there;
        return the logits after the last of them, shape (vocab,). On failure the sequence holds nothing from
        `position` on, and the error is raised."""
        if not token_ids:
            raise ValueError("nothing to decode: a feed needs at least one token, whose logits it returns")
        feed = _Feed(sequence, position, token_ids)
        with self._state:
            self._waiting.append(feed)
            while not feed.done:
                if self._decoding or self._alone_asked:
                    self._state.wait()
                    continue
                self._decoding = True
                feeds, self._waiting = self._waiting, []
                self._state.release()  # others queue their feeds while this thread decodes
                try:
                    self._decode_round(feeds)
                finally:
                    self._state.acquire()
                    self._waiting[:0] = [f for f in feeds if not f.done]  # first in the next round
                    self._decoding = False
                    self._state.notify_all()
        if feed.error is not None:
            raise feed.error
        assert feed.logits is not None
        return feed.logits

    def _decode_round(self, feeds: list[_Feed]) -> None:
        """Write each feed's share of the round (`_round_shares`), in batches of at most _BATCH tokens; a feed
        whose last token was written ends done with its logits, and on an error every feed ends done with it."""
        if self._closed:  # its memory is freed: nothing may touch it
            for feed in feeds:
                feed.error = RuntimeError("the llama.cpp context is closed")
            return
        try:
            for feed in feeds:
                if not feed.fed:
                    llama_cpp.llama_memory_seq_rm(self._memory, feed.sequence, feed.position, -1)
            batch = self._batch
            ending: list[tuple[_Feed, int]] = []  # feeds whose last token is in this batch, at its index
            batch.n_tokens = 0
            shares = _round_shares([len(feed.token_ids) - feed.fed for feed in feeds])
            for feed, share in zip(feeds, shares, strict=True):
                chunk = feed.token_ids[feed.fed:feed.fed + share]
                for offset, token in enumerate(chunk, start=feed.fed):
                    i = batch.n_tokens
                    batch.token[i] = token
                    batch.pos[i] = feed.position + offset
                    batch.n_seq_id[i] = 1
                    batch.seq_id[i][0] = feed.sequence
                    batch.logits[i] = offset == len(feed.token_ids) - 1
                    if batch.logits[i]:
                        ending.append((feed, i))
                    batch.n_tokens += 1
                    if batch.n_tokens == _BATCH:
                        self._run(ending)
                        ending, batch.n_tokens = [], 0
                feed.fed += len(chunk)
            if batch.n_tokens:
                self._run(ending)
        except Exception as error:  # noqa: BLE001 - handed to each waiting caller, who raises it
            for feed in feeds:
                if not feed.done:
                    llama_cpp.llama_memory_seq_rm(self._memory, feed.sequence, feed.position, -1)
                    feed.error = error

    def _run(self, ending: list[tuple[_Feed, int]]) -> None:
        code = llama_cpp.llama_decode(self._ctx, self._batch)
        if code != 0:
            raise RuntimeError(f"llama_decode returned {code}")
        for feed, index in ending:
            logits = llama_cpp.llama_get_logits_ith(self._ctx, index)
            # Copied: the buffer belongs to llama.cpp and the next decode overwrites it.
            feed.logits = np.ctypeslib.as_array(logits, shape=(self.vocab_size,)).copy()

    def shift(self, sequence: int, keep: int, drop: int, run: int) -> None:
        """Drop positions keep..keep+drop of `sequence`, move the `run` after them back into their place and drop
        the rest: llama.cpp's context shift (rotary positions are moved by rotating the keys)."""
        with self._alone():
            llama_cpp.llama_memory_seq_rm(self._memory, sequence, keep, keep + drop)
            llama_cpp.llama_memory_seq_add(self._memory, sequence, keep + drop, keep + drop + run, -drop)
            llama_cpp.llama_memory_seq_rm(self._memory, sequence, keep + run, -1)

    def save(self, sequence: int) -> mmap.mmap:
        """A copy of `sequence`'s KV state, for `load` into a sequence of a context laid out like this one."""
        with self._alone():
            size = llama_cpp.llama_state_seq_get_size(self._ctx, sequence)
            # Memory of its own, written in place and given back to the system when the state is dropped: states
            # of megabytes in the heap stayed there once dropped (peak RSS +500 MB under 8 people).
            state = mmap.mmap(-1, size)
            written = llama_cpp.llama_state_seq_get_data(self._ctx, _pointer(state), size, sequence)
            if written == size:
                return state
            shorter = mmap.mmap(-1, written)
            shorter.write(state[:written])
            return shorter

    def load(self, sequence: int, state: mmap.mmap | bytearray) -> bool:
        """Make `sequence` hold the state `save` copied; False (and the sequence empty) when llama.cpp refuses
        it, as it does a state from a context with another number of sequences."""
        with self._alone():
            llama_cpp.llama_memory_seq_rm(self._memory, sequence, -1, -1)
            if llama_cpp.llama_state_seq_set_data(self._ctx, _pointer(state), len(state), sequence) == len(state):
                return True
            llama_cpp.llama_memory_seq_rm(self._memory, sequence, -1, -1)
            return False

    @contextmanager
    def _alone(self) -> Iterator[None]:
        """The context to this thread alone, once the round of decoding running now ends: no other round starts
        before it. Under load some feed is always waiting for the next round, and a thread that had to win the
        race for the gap between two rounds waited seconds to restore or shift a sequence (up to 8.8 s for one
        turn's prompt of 87 new ids, with 8 people)."""
        with self._state:
            self._alone_asked += 1
            try:
                while self._decoding:
                    self._state.wait()
            finally:
                self._alone_asked -= 1
            if self._closed:
                raise RuntimeError("the llama.cpp context is closed")
            self._decoding = True
        try:
            yield
        finally:
            with self._state:
                self._decoding = False
                self._state.notify_all()

    def close(self) -> None:
        """Free the context and unmap the file now rather than at garbage collection."""
        with self._state:
            while self._decoding:
                self._state.wait()
            self._closed = True
            self._free()


def _round_shares(remaining: list[int]) -> list[int]:
    """Tokens each feed writes in a round, given the tokens each has left: every next token (one left), then
    `_ROUND` shared out shortest first, each taking what it needs while that lasts. The shortest of the rest
    always gets some, so every round makes progress, and a long prompt only waits while shorter ones go."""
    shares = [1 if left == 1 else 0 for left in remaining]
    budget = _ROUND
    for i in sorted((i for i, left in enumerate(remaining) if left > 1), key=lambda i: remaining[i]):
        shares[i] = min(remaining[i], budget)
        budget -= shares[i]
    return shares


def _pointer(state: mmap.mmap | bytearray) -> ctypes.Array:
    """`state`'s own memory as the uint8 array llama.cpp's state functions take (no copy)."""
    return (ctypes.c_uint8 * len(state)).from_buffer(state)


def _free_llama(batch: llama_cpp.llama_batch, ctx: llama_cpp.llama_context_p, model: llama_cpp.llama_model_p) -> None:
    llama_cpp.llama_batch_free(batch)
    llama_cpp.llama_free(ctx)
    llama_cpp.llama_model_free(model)


class LlamaCppDecoder:
    """One sequence of a `LlamaCppContext`: the KV state of one token sequence, kept across turns.

    With `saved` (shared by the decoders of contexts laid out alike), a start that would drop most of another
    conversation's state puts it aside there first, and a start takes back the saved state that holds more of
    its tokens than this sequence does. With `shift`, a start that leaves a chat's oldest turns out moves the
    later ones back into place rather than computing them again (`assistant.kv_states.reuse`)."""

    def __init__(self, context: LlamaCppContext, sequence: int, saved: SavedStates | None = None,
                 shift: bool = True):
        self.context = context
        self.sequence = sequence
        self.saved = saved
        self.shifts = shift and context.can_shift  # held tokens may move back over dropped ones (`kv_states.reuse`)
        self.n_ctx = context.n_ctx
        self.vocab_size = context.vocab_size
        self.held: list[int] = []
        self.computed = 0

    def start(self, token_ids: list[int]) -> torch.Tensor:
        plan = reuse(self.held, token_ids, self.shifts)
        if self.saved is not None:
            plan = self._swap(token_ids, plan)
        if plan.drop:
            self.context.shift(self.sequence, plan.keep, plan.drop, plan.run)
            del self.held[plan.keep : plan.keep + plan.drop]
        del self.held[plan.reused :]  # the context drops these positions when the rest is written there
        self.computed = len(token_ids) - plan.reused
        return self.feed(token_ids[plan.reused :])

    def _swap(self, token_ids: list[int], plan: Reuse) -> Reuse:
        """Put what this sequence holds aside when starting `token_ids` drops `_WORTH_SAVING` tokens of it or
        more (not counting old turns the prompt left out), and take back a saved state that reuses
        `_WORTH_RESTORING` more tokens of `token_ids` than `plan` does; return how the sequence reuses what it
        holds now."""
        assert self.saved is not None
        if len(self.held) - plan.own >= _WORTH_SAVING:
            self.saved.put(SavedState(list(self.held), self.context.save(self.sequence)))

        def reused(held: list[int], ids: list[int]) -> int:
            return reuse(held, ids, self.shifts).reused

        state = self.saved.take(token_ids, more_than=plan.reused + _WORTH_RESTORING, reused=reused)
        if state is None:
            return plan
        self.held = list(state.token_ids) if self.context.load(self.sequence, state.data) else []
        return reuse(self.held, token_ids, self.shifts)

    def feed(self, token_ids: list[int]) -> torch.Tensor:
        if len(self.held) + len(token_ids) > self.n_ctx:
            raise ContextFull(f"{len(self.held)} tokens held and {len(token_ids)} more do not fit the llama.cpp "
                              f"context of {self.n_ctx}")
        logits = self.context.decode(self.sequence, len(self.held), token_ids)
        self.held += token_ids
        return torch.from_numpy(logits)  # (vocab,)

    def close(self) -> None:
        """Free this decoder's context (and with it its other sequences' state) now."""
        self.context.close()


def llama_cpp_decoders(
    loaded: LoadedModel,
    model_config: ModelConfig,
    cache_dir: Path,
    n_ctx: int | None = None,
    n_threads: int | None = None,
    sequences: int = 1,
    contexts: int = 1,
) -> Callable[[], Decoder]:
    """Export `loaded` once (to `cache_dir`/gguf, at `model_config.gguf_quant`) and return a function that makes
    a `LlamaCppDecoder` over the file at each call: the calls go round `contexts` llama.cpp contexts of
    `sequences` sequences each (a context's sequences decode together), made as they are first needed; once all
    are handed out, the next call starts a new set. ModelLoadError when the model cannot be exported or this
    machine's llama.cpp cannot decode it (`check_llama_cpp`).

    `cache_dir` is the models cache `load_model` was given. `n_ctx` (at most and by default the model's trained
    context length, so every sequence the torch backend serves fits) sets each sequence's KV cache, allocated up
    front: for SmolLM2-135M 23 KB a position, 188 MB at 8192. `n_threads` (None: the usable cores) per context.
    The returned function holds the file's path, not the torch model, which the caller may drop once this
    returns. Its decoders share one store of states put aside (`model_config.saved_states_mb`; 0: none).
    """
    if model_config.backend == "torch":
        raise ModelLoadError("model.backend is torch, not llama_cpp")
    path = served_gguf(loaded, cache_dir, model_config.gguf_quant)
    check_llama_cpp(path)
    positions = min(n_ctx or math.inf, loaded.model.config.max_position_embeddings)
    made = count()
    current: dict[int, LlamaCppContext] = {}  # the set being handed out, by index
    budget = model_config.saved_states_mb * 2**20
    saved = SavedStates(budget) if budget else None  # every context has `sequences`: their states fit each other

    def make() -> Decoder:
        index = next(made) % (contexts * sequences)
        if index == 0:
            current.clear()
        where = index % contexts
        if where not in current:
            current[where] = LlamaCppContext(path, positions, sequences, n_threads)
        return LlamaCppDecoder(current[where], index // contexts, saved, model_config.shift_context)

    return make

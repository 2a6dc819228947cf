"""The pieces the engine's loop stands on: a decoder over token ids, sampling, and argument grammars."""

from __future__ import annotations

import inspect
import json
import threading
from collections import OrderedDict
from typing import Any, Protocol

import torch
import xgrammar
from transformers import (
    LogitsProcessorList,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    RepetitionPenaltyLogitsProcessor,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

from assistant.config import GenerationConfig
from tools.base import Tool

_END_OF_TURN_TOKENS = ("<|im_end|>", "<|eot_id|>", "<|end_of_text|>", "<|endoftext|>", "<end_of_turn>", "</s>")


class Decoder(Protocol):
    """Feeds token ids to a model, keeping their KV state, and returns the logits for the next token.

    A decoder holds the KV state of one token sequence (`held`). `start` makes it hold another one and
    computes only what differs from the longest prefix it already holds: the system prompt of every turn,
    and a conversation's earlier turns when its next turn lands on the same decoder, are not computed again.
    """

    vocab_size: int
    #: The token ids whose KV state the decoder holds, in order.
    held: list[int]
    #: How many ids its last `start` computed (the rest it held already, or moved or restored).
    computed: int

    def start(self, token_ids: list[int]) -> torch.Tensor:
        """Hold exactly `token_ids` (non-empty), reusing the longest prefix already held; return the
        next-token logits after the last of them, shape (vocab,)."""

    def feed(self, token_ids: list[int]) -> torch.Tensor:
        """Append `token_ids` to what is held; return the next-token logits, shape (vocab,)."""


def shared_prefix(held: list[int], token_ids: list[int]) -> int:
    """How many leading ids a decoder holding `held` can keep to hold `token_ids`: the common prefix, less
    one when it is all of `token_ids` (the last id is fed again, for its logits)."""
    limit = min(len(held), len(token_ids) - 1)
    common = 0
    while common < limit and held[common] == token_ids[common]:
        common += 1
    return common


class CausalLMDecoder:
    """A Hugging Face causal LM with its KV cache: each token is computed once, and a prefix already held is
    kept across turns."""

    def __init__(self, model: PreTrainedModel):
        self.model = model
        self.device = next(model.parameters()).device
        self.vocab_size = model.get_output_embeddings().weight.shape[0]
        self.held: list[int] = []
        self.computed = 0
        self._cache = None
        self._cache_keyword = _cache_keyword(model)

    def start(self, token_ids: list[int]) -> torch.Tensor:
        keep = shared_prefix(self.held, token_ids)
        if keep == 0 or not hasattr(self._cache, "crop"):
            self._cache, self.held = None, []
        elif keep < len(self.held):
            self._cache.crop(keep - len(self.held))  # a negative count: drop that many positions from the end
            del self.held[keep:]
        self.computed = len(token_ids) - len(self.held)
        return self.feed(token_ids[len(self.held):])

    @torch.inference_mode()
    def feed(self, token_ids: list[int]) -> torch.Tensor:
        input_ids = torch.tensor([token_ids], device=self.device)  # (1, seq)
        out = self.model(input_ids=input_ids, use_cache=True, logits_to_keep=1, **{self._cache_keyword: self._cache})
        self._cache = out[self._cache_keyword]
        self.held += token_ids
        return out.logits[0, -1].float().cpu()  # (vocab,)


def _cache_keyword(model: PreTrainedModel) -> str:
    """The forward's name for the KV cache, in its arguments and its output: `cache` in newer transformers
    (where `past_key_values` still works but warns on every call), `past_key_values` before."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model  # a PEFT wrapper's model
    return "cache" if "cache" in inspect.signature(base.forward).parameters else "past_key_values"


def extend_text(
    tokenizer: PreTrainedTokenizerBase, ids: list[int], text: str, window: tuple[int, int]
) -> tuple[str, tuple[int, int]]:
    """`text`, the decoded `ids[:-1]`, extended by the newest id: (the text of all `ids`, the next window).

    Decoding the whole reply again at every token costs O(n) a token. This decodes only a window of the last
    few ids (from `window[0]`, with the ids up to `window[1]` already in `text`), as text-generation-inference
    and vLLM do: the window's leading ids give the decoder the context that spacing depends on, and an id that
    completes no character yet (half of a multi-byte one, decoded as U+FFFD) adds nothing until the next does.
    Start with text "" and window (0, 0).
    """
    start, read = window
    before = tokenizer.decode(ids[start:read], skip_special_tokens=True)
    after = tokenizer.decode(ids[start:], skip_special_tokens=True)
    if len(after) > len(before) and not after.endswith("\ufffd"):
        return text + after[len(before):], (read, len(ids))
    return text, window


def end_of_turn_ids(tokenizer: PreTrainedTokenizerBase) -> set[int]:
    """Token ids that end an assistant turn for this tokenizer."""
    ids = {tokenizer.eos_token_id} if tokenizer.eos_token_id is not None else set()
    vocab = tokenizer.get_vocab()
    ids.update(vocab[token] for token in _END_OF_TURN_TOKENS if token in vocab)
    return ids


class Sampler:
    """Picks the next token from logits: greedy at temperature 0, else temperature / top-k / top-p."""

    def __init__(self, generation: GenerationConfig):
        self.greedy = generation.temperature == 0
        self.penalty = (
            RepetitionPenaltyLogitsProcessor(generation.repetition_penalty)
            if generation.repetition_penalty != 1.0
            else None
        )
        self.warpers = LogitsProcessorList()
        if not self.greedy:
            self.warpers.append(TemperatureLogitsWarper(generation.temperature))
            if generation.top_k > 0:
                self.warpers.append(TopKLogitsWarper(generation.top_k))
            if generation.top_p < 1.0:
                self.warpers.append(TopPLogitsWarper(generation.top_p))
        self.generator = torch.Generator()
        if generation.seed is not None:
            self.generator.manual_seed(generation.seed)
        else:
            self.generator.seed()

    def __call__(self, logits: torch.Tensor, penalised: list[int] | None = None) -> int:
        """`logits` (vocab,), already masked; `penalised`: ids the repetition penalty applies to."""
        scores = logits.unsqueeze(0)  # (1, vocab)
        if self.penalty is not None and penalised:
            scores = self.penalty(torch.tensor([penalised]), scores)
        if self.greedy:
            return int(scores.argmax(dim=-1))
        scores = self.warpers(torch.tensor([penalised or [0]]), scores)
        probs = torch.softmax(scores, dim=-1)
        return int(torch.multinomial(probs, 1, generator=self.generator))


class ArgumentGrammars:
    """Compiled JSON grammars of argument schemas: each tool's, compiled on first use (once even when several
    turns reach it at the same time), and the last MAX_NARROWED schemas a turn narrowed to its ids."""

    #: Narrowed schemas kept compiled; a tool's own schema is always kept.
    MAX_NARROWED = 256

    def __init__(self, tokenizer: PreTrainedTokenizerBase, vocab_size: int):
        self._tokenizer = tokenizer
        self._vocab_size = vocab_size
        self._compiler: xgrammar.GrammarCompiler | None = None
        self._compiled: dict[str, xgrammar.CompiledGrammar] = {}
        self._narrowed: OrderedDict[str, xgrammar.CompiledGrammar] = OrderedDict()
        self._compiling = threading.Lock()

    def matcher(self, tool: Tool, schema: dict[str, Any] | None = None) -> xgrammar.GrammarMatcher:
        """A fresh matcher that accepts exactly the JSON texts valid for `tool`'s schema, or for `schema`, a
        narrowing of it (`assistant.codes.narrowed_schema`)."""
        with self._compiling:
            if schema is None or schema == tool.parameters:
                if tool.name not in self._compiled:
                    self._compiled[tool.name] = self._compile(tool.parameters)
                compiled = self._compiled[tool.name]
            else:
                key = json.dumps(schema, sort_keys=True)
                if key not in self._narrowed:
                    self._narrowed[key] = self._compile(schema)
                    if len(self._narrowed) > self.MAX_NARROWED:
                        self._narrowed.popitem(last=False)
                self._narrowed.move_to_end(key)
                compiled = self._narrowed[key]
        return xgrammar.GrammarMatcher(compiled, terminate_without_stop_token=True)

    def _compile(self, schema: dict[str, Any]) -> xgrammar.CompiledGrammar:
        if self._compiler is None:
            info = xgrammar.TokenizerInfo.from_huggingface(self._tokenizer, vocab_size=self._vocab_size)
            self._compiler = xgrammar.GrammarCompiler(info)
        return self._compiler.compile_json_schema(json.dumps(schema), any_whitespace=False, strict_mode=True)

    def mask(self, matcher: xgrammar.GrammarMatcher, logits: torch.Tensor) -> torch.Tensor:
        """`logits` (vocab,) with every token the grammar forbids set to -inf."""
        bitmask = xgrammar.allocate_token_bitmask(1, self._vocab_size)
        matcher.fill_next_token_bitmask(bitmask)
        masked = logits.clone().unsqueeze(0)  # (1, vocab)
        xgrammar.apply_token_bitmask_inplace(masked, bitmask)
        return masked[0]

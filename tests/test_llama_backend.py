"""The llama_cpp backend: the served GGUF export (toolkens, weights, cache) and the llama.cpp decoder."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import gguf
import numpy as np
import pytest
import torch
from pydantic import ValidationError

from assistant.chat_format import ChatFormat
from assistant.config import ConfigError, ModelConfig, parse_config
from assistant.kv_states import MIN_SHIFTED_RUN, SavedStates, reuse
from assistant.llama_backend import ContextFull, LlamaCppContext, LlamaCppDecoder, llama_cpp_decoders
from assistant.model import LoadedModel, ModelLoadError, load_model
from tools.base import Tool, ToolResult

#: The served file's weights in the tests that compare logits: F32, so any gap is the export's, not rounding's.
QUANT = "f32"


class Lookup(Tool):
    description = "Looks an employee up by name."

    def __init__(self, name: str):
        self.name = name
        self.parameters = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}

    def run(self, arguments: dict[str, Any]) -> ToolResult:
        return ToolResult(value=arguments["name"])


@pytest.fixture(scope="module")
def served(smollm2_folder: Path, model_cache: Path, single_torch_thread: None) -> LoadedModel:
    """The embedded model with two toolkens (their rows initialised from their descriptions)."""
    return load_model(ModelConfig(path=smollm2_folder, device="cpu"), [Lookup("lookup"), Lookup("find")], model_cache)


@pytest.fixture(scope="module")
def gguf_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gguf-cache")


@pytest.fixture(scope="module")
def make_decoder(served: LoadedModel, gguf_cache: Path) -> Any:
    config = ModelConfig(device="cpu", backend="llama_cpp", gguf_quant=QUANT)
    # One thread: on 2 cores shared with other work, a second llama.cpp thread waits on a descheduled core.
    return llama_cpp_decoders(served, config, gguf_cache, n_ctx=1024, n_threads=1)


@pytest.fixture
def decoders(make_decoder: Any) -> Iterator[list[LlamaCppDecoder]]:
    """Fresh decoders from the factory, closed after the test."""
    made: list[LlamaCppDecoder] = []
    yield made
    for decoder in made:
        decoder.close()


def _chat_ids(loaded: LoadedModel) -> list[int]:
    """A chat prompt, the first toolken (forced, as the engine feeds it) and the start of its JSON arguments."""
    prompt = ChatFormat(loaded.tokenizer).prompt_ids(
        [{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": "Who is Ana?"}]
    )
    arguments = loaded.tokenizer('{"name": "', add_special_tokens=False)["input_ids"]
    return prompt + [loaded.registry.token_ids[0]] + arguments


@pytest.mark.slow
def test_the_served_gguf_has_the_toolkens_at_their_ids(served: LoadedModel, make_decoder: Any, gguf_cache: Path):
    (path,) = (gguf_cache / "gguf").glob("*.gguf")
    reader = gguf.GGUFReader(path)
    assert reader.fields["general.architecture"].contents() == "llama"
    tokens = reader.fields["tokenizer.ggml.tokens"].contents()
    types = reader.fields["tokenizer.ggml.token_type"].contents()
    rows = served.model.get_input_embeddings().weight.shape[0]
    assert len(tokens) == rows == reader.fields["llama.vocab_size"].contents()
    for toolken in served.registry.toolkens:
        assert tokens[toolken.token_id] == toolken.token
        assert types[toolken.token_id] == gguf.TokenType.CONTROL
    assert tokens[: served.registry.base_vocab_size] == served.tokenizer.convert_ids_to_tokens(
        list(range(served.registry.base_vocab_size)))
    names = {tensor.name for tensor in reader.tensors}
    assert "output.weight" not in names  # tied: llama.cpp's head is token_embd, toolken rows included


@pytest.mark.slow
def test_llama_cpp_logits_match_the_torch_model_at_a_toolken(served: LoadedModel, make_decoder: Any,
                                                             decoders: list[LlamaCppDecoder]):
    ids = _chat_ids(served)
    toolken_at = len(ids) - 1 - ids[::-1].index(served.registry.token_ids[0])
    with torch.inference_mode():
        expected = served.model(torch.tensor([ids])).logits[0]  # (seq, vocab)
    decoders.append(make_decoder())
    decoder = decoders[0]
    assert decoder.vocab_size == expected.shape[-1]
    got = {toolken_at - 1: decoder.start(ids[:toolken_at])}  # after the prompt: is a toolken likely?
    for position in range(toolken_at, len(ids)):  # the toolken's own row, then its arguments, one by one
        got[position] = decoder.feed([ids[position]])
    for position, logits in got.items():
        assert logits.dtype == torch.float32 and logits.shape == expected[position].shape
        assert int(logits.argmax()) == int(expected[position].argmax()), position
        assert (logits - expected[position]).abs().max() < 0.1, position
    toolkens = served.registry.token_ids
    assert (got[toolken_at - 1][toolkens] - expected[toolken_at - 1][toolkens]).abs().max() < 0.1


@pytest.mark.slow
def test_start_keeps_the_held_prefix_and_computes_only_the_rest(served: LoadedModel, make_decoder: Any,
                                                                 decoders: list[LlamaCppDecoder],
                                                                 monkeypatch: pytest.MonkeyPatch):
    ids = _chat_ids(served)
    first = ids[:-2] + served.tokenizer("Ana Lopez", add_special_tokens=False)["input_ids"]
    second = ids
    decoders += [make_decoder(), make_decoder()]
    reused, fresh = decoders
    evaluated = {id(reused): 0, id(fresh): 0}
    for decoder in decoders:
        decode = decoder.context.decode

        def counting(sequence: int, position: int, tokens: list[int], decode: Any = decode,
                     key: int = id(decoder)) -> Any:
            evaluated[key] += len(tokens)
            return decode(sequence, position, tokens)

        monkeypatch.setattr(decoder.context, "decode", counting)

    reused.start(first)
    before = evaluated[id(reused)]
    logits = reused.start(second)
    assert reused.held == second
    assert evaluated[id(reused)] - before == len(second) - (len(ids) - 2)  # the shared prefix was kept
    assert reused.computed == len(second) - (len(ids) - 2)
    assert torch.allclose(logits, fresh.start(second), atol=1e-3)
    assert evaluated[id(fresh)] == len(second)
    # Starting on exactly what is held computes only the last token again, for its logits.
    assert torch.allclose(reused.start(second), logits, atol=0.05)
    assert evaluated[id(reused)] - before == len(second) - (len(ids) - 2) + 1
    assert torch.allclose(reused.feed([served.tokenizer.eos_token_id]), fresh.feed([served.tokenizer.eos_token_id]),
                          atol=0.05)


@pytest.mark.slow
def test_a_sequence_longer_than_the_context_is_refused_and_nothing_is_lost(make_decoder: Any, gguf_cache: Path,
                                                                             decoders: list[LlamaCppDecoder]):
    (path,) = (gguf_cache / "gguf").glob("*.gguf")
    decoders.append(LlamaCppDecoder(LlamaCppContext(path, n_ctx=32, n_threads=1), 0))
    decoder = decoders[0]
    decoder.start(list(range(1000, 1020)))
    with pytest.raises(ContextFull, match="20 tokens held and 13 more do not fit the llama.cpp context of 32"):
        decoder.feed(list(range(2000, 2013)))
    assert decoder.held == list(range(1000, 1020))
    assert decoder.feed(list(range(2000, 2012))).shape == (decoder.vocab_size,)  # exactly full still works


@pytest.mark.slow
def test_the_served_gguf_is_reused_and_rebuilt_when_the_adapter_changes(
    served: LoadedModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The cache key: `export_gguf` itself is replaced by a recorder (the export is tested above); the adapter is
    a folder of stand-in files, since only their bytes enter the key."""
    from assistant import gguf_export

    exports: list[Path] = []

    def record(loaded: LoadedModel, target: Path, quant: str) -> Path:
        exports.append(target)
        target.write_bytes(b"GGUF")
        return target

    monkeypatch.setattr(gguf_export, "export_gguf", record)
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text('{"r": 16}')
    (adapter / "adapter_model.safetensors").write_bytes(b"weights, first training")
    loaded = dataclasses.replace(served, adapter=adapter)
    cache = tmp_path / "models"

    path = gguf_export.served_gguf(loaded, cache, "q8_0")
    assert path.parent == cache / "gguf" and path.read_bytes() == b"GGUF" and len(exports) == 1
    assert gguf_export.served_gguf(loaded, cache, "q8_0") == path and len(exports) == 1  # a restart reuses it
    (adapter / "README.md").write_text("figures")
    assert gguf_export.served_gguf(loaded, cache, "q8_0") == path and len(exports) == 1  # not a weight file

    (adapter / "adapter_model.safetensors").write_bytes(b"weights, retrained")
    retrained = gguf_export.served_gguf(loaded, cache, "q8_0")
    assert retrained != path and len(exports) == 2
    assert gguf_export.served_gguf(loaded, cache, "f16") not in (path, retrained) and len(exports) == 3
    assert gguf_export.served_gguf(dataclasses.replace(served, adapter=None), cache, "q8_0") not in (path, retrained)
    assert not list((cache / "gguf").glob(".export-*"))  # written under a temporary name, then renamed


def test_export_refuses_a_model_that_is_not_a_plain_llama(served: LoadedModel, tmp_path: Path):
    from assistant.gguf_export import export_gguf

    gpt2 = _tiny_gpt2()
    with pytest.raises(ModelLoadError, match="llama-architecture models; .* is 'gpt2'"):
        export_gguf(dataclasses.replace(served, model=gpt2), tmp_path / "out.gguf")
    with pytest.raises(ModelLoadError, match="precision nf4 is bitsandbytes-quantised"):
        export_gguf(dataclasses.replace(served, precision="nf4"), tmp_path / "out.gguf")


@pytest.mark.parametrize(
    "settings, problem",
    [({"device": "cuda"}, "backend llama_cpp runs on the CPU"),
     ({"precision": "int8"}, "precision int8 cannot be merged"),
     ({"precision": "nf4"}, "precision nf4 cannot be merged")],
)
def test_a_llama_cpp_backend_on_cuda_or_bitsandbytes_is_refused(settings: dict[str, str], problem: str):
    with pytest.raises(ValidationError, match=problem):
        ModelConfig(backend="llama_cpp", **settings)
    with pytest.raises(ConfigError, match=f"^config: model: Value error, .*{problem}"):
        parse_config({"model": {"backend": "llama_cpp", **settings}})
    assert ModelConfig(backend="torch", **settings).backend == "torch"
    with pytest.raises(ConfigError, match="model.gguf_quant"):
        parse_config({"model": {"backend": "llama_cpp", "gguf_quant": "q4_k"}})


@pytest.mark.slow
def test_the_first_decode_runs_in_a_child_once_per_llama_cpp_build(make_decoder: Any, gguf_cache: Path,
                                                                     monkeypatch: pytest.MonkeyPatch):
    from assistant import llama_backend

    (path,) = (gguf_cache / "gguf").glob("*.gguf")  # the fixture's factory probed it already
    (verdict,) = path.parent.glob(f"{path.name}.runs-*.json")
    assert json.loads(verdict.read_text()) == {"problem": None}
    monkeypatch.setattr(llama_backend, "_probe", lambda _: pytest.fail("a known build is probed again"))
    llama_backend.check_llama_cpp(path)

    monkeypatch.undo()
    monkeypatch.setattr(llama_backend, "_llama_cpp_build", lambda: "rebuilt")
    llama_backend.check_llama_cpp(path)  # another build: the real child runs again, on the real file
    assert json.loads(path.with_name(f"{path.name}.runs-rebuilt.json").read_text()) == {"problem": None}


def test_a_llama_cpp_that_dies_at_its_first_decode_is_a_load_error_with_the_rebuild(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The child really dies of SIGILL, as a build for another CPU does; this process goes on and says how to
    rebuild, and the next start reads the verdict instead of crashing a child again."""
    from assistant import llama_backend

    model = tmp_path / "served.gguf"
    model.write_bytes(b"GGUF")
    monkeypatch.setattr(llama_backend, "_PROBE", "import os, signal; os.kill(os.getpid(), signal.SIGILL)")
    with pytest.raises(ModelLoadError, match="died with SIGILL decoding served.gguf.*GGML_NATIVE=OFF"):
        llama_backend.check_llama_cpp(model)
    monkeypatch.setattr(llama_backend, "_probe", lambda _: pytest.fail("probed again"))
    with pytest.raises(ModelLoadError, match="SIGILL"):
        llama_backend.check_llama_cpp(model)


@pytest.mark.slow
def test_backend_auto_serves_on_llama_cpp_and_falls_back_to_torch_where_it_cannot(
    served: LoadedModel, make_decoder: Any, gguf_cache: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture
):
    from assistant import llama_backend
    from assistant.decoding import CausalLMDecoder
    from assistant.pool import MAX_DEFAULT_ENGINES
    from assistant.runtime import serving_decoders

    auto = ModelConfig(device="cpu", gguf_quant=QUANT, engines=3)
    assert ModelConfig().backend == "auto"
    assert serving_decoders(served, auto.model_copy(update={"engines": None}), gguf_cache)[1] == MAX_DEFAULT_ENGINES
    monkeypatch.setattr(llama_backend, "cpu_cores", lambda: 2)
    make, engines = serving_decoders(served, auto, gguf_cache)
    first, second, third = make(), make(), make()
    try:  # a context per core, the pool's decoders dealt round them
        assert engines == 3 and isinstance(first, LlamaCppDecoder)
        assert first.context is third.context is not second.context
        assert [d.sequence for d in (first, second, third)] == [0, 0, 1] and first.context.sequences == 2
    finally:
        first.close()
        second.close()

    def dies(path: Path) -> None:
        raise ModelLoadError(f"llama.cpp died with SIGILL decoding {path.name}")

    monkeypatch.setattr(llama_backend, "check_llama_cpp", dies)
    with caplog.at_level("WARNING", logger="assistant.runtime"):
        make, engines = serving_decoders(served, auto, gguf_cache)
    assert isinstance(make(), CausalLMDecoder) and engines == 3
    assert "serving on the torch backend: llama.cpp died with SIGILL" in caplog.text
    with pytest.raises(ModelLoadError, match="SIGILL"):  # asked for by name: refused, not replaced
        serving_decoders(served, auto.model_copy(update={"backend": "llama_cpp"}), gguf_cache)
    gpt2 = dataclasses.replace(served, model=_tiny_gpt2())
    assert isinstance(serving_decoders(gpt2, auto, gguf_cache)[0](), CausalLMDecoder)


@pytest.mark.slow
def test_sequences_of_one_context_fed_at_once_decode_together_with_their_own_logits(
    served: LoadedModel, make_decoder: Any, gguf_cache: Path, monkeypatch: pytest.MonkeyPatch
):
    """Three people's turns on one context: the first feed's decode is held until the other two are queued,
    so they go in one llama_decode; each gets the logits a context of its own gives."""
    import llama_cpp

    (path,) = (gguf_cache / "gguf").glob("*.gguf")
    ids = _chat_ids(served)
    prompts = [ids, ids[:-3], ids[:-1] + [served.tokenizer.eos_token_id]]
    alone = LlamaCppContext(path, n_ctx=256, n_threads=1)
    try:
        expected = [alone.decode(0, 0, prompt) for prompt in prompts]  # one after the other, on one sequence
    finally:
        alone.close()

    shared = LlamaCppContext(path, n_ctx=256, sequences=3, n_threads=1)
    decoders = [LlamaCppDecoder(shared, sequence) for sequence in range(3)]
    real_decode, batches = llama_cpp.llama_decode, []

    def decode(ctx: Any, batch: Any) -> int:
        if not batches:  # the first feed's decode: wait until the two others are queued behind it
            deadline = time.monotonic() + 30
            while len(shared._waiting) < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
        batches.append(batch.n_tokens)
        return real_decode(ctx, batch)

    monkeypatch.setattr(llama_cpp, "llama_decode", decode)
    try:
        with ThreadPoolExecutor(3) as people:
            first = people.submit(decoders[0].start, prompts[0])
            while not shared._decoding:
                time.sleep(0.001)
            others = [people.submit(decoders[i].start, prompts[i]) for i in (1, 2)]
            got = [first.result(), *(other.result() for other in others)]
        assert batches == [len(prompts[0]), len(prompts[1]) + len(prompts[2])]
        for logits, want in zip(got, expected, strict=True):
            assert int(logits.argmax()) == int(want.argmax()) and np.abs(logits.numpy() - want).max() < 0.05
        assert [decoder.held for decoder in decoders] == prompts
        # One sequence starting over keeps the others' KV state: the next token of each is still its own.
        decoders[0].start(prompts[2])
        monkeypatch.setattr(llama_cpp, "llama_decode", real_decode)
        after = decoders[1].feed([served.tokenizer.eos_token_id])
    finally:
        shared.close()
    again = LlamaCppContext(path, n_ctx=256, n_threads=1)
    try:
        want = again.decode(0, 0, prompts[1] + [served.tokenizer.eos_token_id])
    finally:
        again.close()
    assert np.abs(after.numpy() - want).max() < 0.05


@pytest.mark.slow
def test_a_long_feed_goes_a_share_a_round_and_a_short_one_queued_meanwhile_goes_first(
    served: LoadedModel, make_decoder: Any, gguf_cache: Path, monkeypatch: pytest.MonkeyPatch
):
    """One person's long prompt is written a round's share at a time; another's short prompt, queued during the
    first round, takes what it needs of the second and is answered then, not after the whole long prompt. Both
    get their own logits."""
    import llama_cpp

    from assistant import llama_backend

    monkeypatch.setattr(llama_backend, "_ROUND", 4)
    (path,) = (gguf_cache / "gguf").glob("*.gguf")
    long, short = _chat_ids(served), _chat_ids(served)[:3]
    expected = [want_alone(path, long), want_alone(path, short)]
    shared = LlamaCppContext(path, n_ctx=256, sequences=2, n_threads=1)
    real_decode, rounds = llama_cpp.llama_decode, []  # per llama_decode, the sequence of each token

    def decode(ctx: Any, batch: Any) -> int:
        if not rounds:  # the first round: wait until the short feed is queued behind it
            deadline = time.monotonic() + 30
            while not shared._waiting and time.monotonic() < deadline:
                time.sleep(0.01)
        rounds.append([batch.seq_id[i][0] for i in range(batch.n_tokens)])
        return real_decode(ctx, batch)

    monkeypatch.setattr(llama_cpp, "llama_decode", decode)
    try:
        with ThreadPoolExecutor(2) as people:
            first = people.submit(shared.decode, 0, 0, long)
            while not shared._decoding:
                time.sleep(0.001)
            second = people.submit(shared.decode, 1, 0, short)
            got = [first.result(), second.result()]
    finally:
        shared.close()
    assert rounds[0] == [0] * 4 and rounds[1] == [0, 1, 1, 1]  # all of the short prompt in the second round
    assert all(sequences == [0] * 4 for sequences in rounds[2:-1]) and sum(map(len, rounds)) == len(long) + 3
    for logits, want in zip(got, expected, strict=True):
        assert int(logits.argmax()) == int(want.argmax()) and np.abs(logits - want).max() < 0.05


def test_a_round_gives_every_next_token_then_shares_the_rest_shortest_prompt_first(
    monkeypatch: pytest.MonkeyPatch
):
    from assistant import llama_backend

    monkeypatch.setattr(llama_backend, "_ROUND", 10)
    assert llama_backend._round_shares([1, 30, 1, 4, 8]) == [1, 0, 1, 4, 6]
    assert llama_backend._round_shares([30, 50]) == [10, 0]  # the shortest always moves on
    assert llama_backend._round_shares([1] * 12) == [1] * 12  # next tokens are never held back


@pytest.mark.slow
def test_a_save_goes_right_after_the_round_running_not_after_the_feeds_queued_before_it(
    gguf_cache: Path, monkeypatch: pytest.MonkeyPatch
):
    """Putting a sequence aside (as restoring or shifting one) waits for the round of decoding running now, and
    no feed queued meanwhile starts another round before it: under load one always is, and such a wait had
    gone on for seconds."""
    import llama_cpp

    (path,) = (gguf_cache / "gguf").glob("*.gguf")
    shared = LlamaCppContext(path, n_ctx=64, sequences=3, n_threads=1)
    real_round, order, gate = shared._decode_round, [], threading.Event()
    real_size = llama_cpp.llama_state_seq_get_size
    monkeypatch.setattr(llama_cpp, "llama_state_seq_get_size",
                        lambda *args: order.append("saved") or real_size(*args))  # the save's first step

    def decode_round(feeds: list[Any]) -> None:
        order.append("round")
        if len(order) == 1:
            gate.wait(timeout=30)  # the first round runs until the feed and the save are both waiting
        real_round(feeds)

    monkeypatch.setattr(shared, "_decode_round", decode_round)
    try:
        with ThreadPoolExecutor(3) as threads:
            first = threads.submit(shared.decode, 0, 0, [1, 2, 3])
            while not order:
                time.sleep(0.001)
            queued = threads.submit(shared.decode, 1, 0, [4, 5])  # waits for the round, before the save asks
            while not shared._waiting:
                time.sleep(0.001)
            saved = threads.submit(shared.save, 0)
            while not shared._alone_asked:
                time.sleep(0.001)
            gate.set()
            first.result(), queued.result(), saved.result()
    finally:
        shared.close()
    assert order == ["round", "saved", "round"]


@pytest.mark.slow
def test_a_conversation_whose_sequence_went_to_another_takes_its_state_back_instead_of_computing_it(
    served: LoadedModel, make_decoder: Any, gguf_cache: Path, monkeypatch: pytest.MonkeyPatch
):
    """A sequence taken over by another conversation puts its state aside; the first conversation's next turn,
    on another context laid out alike, restores it and computes only its new tokens, with the same logits."""
    import llama_cpp

    from assistant import llama_backend

    monkeypatch.setattr(llama_backend, "_WORTH_SAVING", 4)
    monkeypatch.setattr(llama_backend, "_WORTH_RESTORING", 2)
    (path,) = (gguf_cache / "gguf").glob("*.gguf")
    ada, sam = _chat_ids(served), _chat_ids(served)[:8] + [7, 8, 9]
    saved = SavedStates(budget_bytes=2**30)
    first, second = (LlamaCppContext(path, n_ctx=256, sequences=2, n_threads=1) for _ in range(2))
    real_decode, written = llama_cpp.llama_decode, []

    def decode(ctx: Any, batch: Any) -> int:
        written.append(batch.n_tokens)
        return real_decode(ctx, batch)

    try:
        one = LlamaCppDecoder(first, 1, saved)
        one.start(ada)
        one.start(sam)  # Sam takes the sequence: Ada's state is put aside
        assert saved.size_bytes > 0 and one.held == sam
        monkeypatch.setattr(llama_cpp, "llama_decode", decode)
        other = LlamaCppDecoder(second, 0, saved)
        got = other.start(ada + [11, 12])
        assert written == [2] and other.held == ada + [11, 12] and saved.size_bytes == 0
        assert other.computed == 2
        want = first.decode(0, 0, ada + [11, 12])
        state = first.save(0)
    finally:
        first.close(), second.close()
    assert int(got.argmax()) == int(want.argmax()) and np.abs(got.numpy() - want).max() < 1e-3
    mismatched = LlamaCppContext(path, n_ctx=256, sequences=3, n_threads=1)
    try:  # a state from a context of two sequences does not fit one of three: refused, nothing held
        assert not mismatched.load(0, state) and not mismatched.load(1, bytearray(b"not a state"))
        assert np.abs(mismatched.decode(0, 0, ada) - want_alone(path, ada)).max() < 1e-3
    finally:
        mismatched.close()


def want_alone(path: Path, ids: list[int]) -> np.ndarray:
    """The logits after `ids` in a context of their own, decoded as a shared context decodes (without fused
    attention, which gives logits a few hundredths apart)."""
    alone = LlamaCppContext(path, n_ctx=256, n_threads=1, flash_attn=False)
    try:
        return alone.decode(0, 0, ids)
    finally:
        alone.close()


def _tiny_gpt2() -> Any:
    from transformers import GPT2Config, GPT2LMHeadModel

    return GPT2LMHeadModel(GPT2Config(n_layer=1, n_head=2, n_embd=8, vocab_size=32))


def test_decoders_are_dealt_round_the_contexts_and_a_full_set_starts_a_new_one(
    served: LoadedModel, gguf_cache: Path, monkeypatch: pytest.MonkeyPatch
):
    from assistant import llama_backend

    made: list[tuple[int, int, int | None]] = []

    class Context:
        def __init__(self, path: Path, n_ctx: int, sequences: int, n_threads: int | None):
            made.append((n_ctx, sequences, n_threads))
            self.n_ctx, self.vocab_size, self.can_shift = n_ctx, 10, True

    monkeypatch.setattr(llama_backend, "LlamaCppContext", Context)
    monkeypatch.setattr(llama_backend, "check_llama_cpp", lambda path: None)
    monkeypatch.setattr(llama_backend, "served_gguf", lambda loaded, cache, quant: gguf_cache / "served.gguf")
    config = ModelConfig(device="cpu", backend="llama_cpp")
    make = llama_cpp_decoders(served, config, gguf_cache, n_ctx=100_000, n_threads=1, sequences=2, contexts=2)
    decoders = [make() for _ in range(5)]
    assert [decoder.sequence for decoder in decoders] == [0, 0, 1, 1, 0]
    assert decoders[0].context is decoders[2].context and decoders[1].context is decoders[3].context
    assert decoders[0].context is not decoders[1].context
    assert all(decoders[4].context is not decoder.context for decoder in decoders[:4])  # a new set
    # Three contexts made, each with the model's own context length at most (SmolLM2: 8,192).
    assert made == [(served.model.config.max_position_embeddings, 2, 1)] * 3
    # They move held tokens back over a chat's dropped turns unless model.shift_context is off.
    assert decoders[0].shifts
    off = llama_cpp_decoders(served, ModelConfig(device="cpu", backend="llama_cpp", shift_context=False), gguf_cache)
    assert not off().shifts


@pytest.mark.slow
def test_a_closed_context_refuses_to_decode(make_decoder: Any, gguf_cache: Path):
    (path,) = (gguf_cache / "gguf").glob("*.gguf")
    context = LlamaCppContext(path, n_ctx=32, n_threads=1)
    assert context.decode(0, 0, [1, 2]).shape == (context.vocab_size,)
    context.close()
    with pytest.raises(RuntimeError, match="the llama.cpp context is closed"):
        context.decode(0, 2, [3])


def _chat(loaded: LoadedModel, first_turn: int, turns: int, question: str) -> list[int]:
    """A chat's prompt from its turn `first_turn` on (the earlier ones left out), `turns` turns in all, then
    `question`."""
    messages = [{"role": "system", "content": "You are a helpful assistant."}]
    for turn in range(first_turn, turns):
        messages += [{"role": "user", "content": f"Who approves expense claims over {100 * (turn + 1)} euros?"},
                     {"role": "assistant", "content": f"Claims over {100 * (turn + 1)} euros go to the finance "
                                                      f"lead, who answers within {turn + 2} working days."}]
    return ChatFormat(loaded.tokenizer).prompt_ids([*messages, {"role": "user", "content": question}])


@pytest.mark.slow
def test_a_chat_leaving_its_oldest_turns_out_moves_the_later_ones_back_rather_than_computing_them(
        served: LoadedModel, make_decoder: Any, decoders: list[LlamaCppDecoder], monkeypatch: pytest.MonkeyPatch):
    whole = _chat(served, 0, 6, "And over 900 euros?")
    later = _chat(served, 3, 6, "And over 1000 euros?")  # the first three turns left out
    decoders += [make_decoder(), make_decoder()]
    shifted, fresh = decoders
    assert shifted.shifts
    shifted.start(whole)
    fed: list[int] = []
    decode = shifted.context.decode
    monkeypatch.setattr(shifted.context, "decode",
                        lambda sequence, position, tokens: fed.extend(tokens) or decode(sequence, position, tokens))
    logits = shifted.start(later)
    assert shifted.held == later
    plan = reuse(whole, later, shifts=True)
    assert plan.drop > 0 and plan.run >= MIN_SHIFTED_RUN and fed == later[plan.reused:]
    assert shifted.computed == len(later) - plan.reused
    # The moved turns' keys and values were computed with the left-out turns before them: not bit-equal to a fresh
    # start on the same prompt, but the same next token.
    assert int(logits.argmax()) == int(fresh.start(later).argmax())
    # A start that shares only the system prompt moves nothing.
    assert reuse(whole, _chat(served, 0, 1, "Hello?"), shifts=True).drop == 0

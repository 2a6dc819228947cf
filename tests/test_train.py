"""Training: config, the loss mask against the engine's own token stream, and short CPU runs.

The training runs use a 2-layer cut of SmolLM2 (same tokenizer, tied embeddings) so a few steps take
seconds; the adapter-in-the-engine test trains the embedded model itself for two steps.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import torch
import yaml
from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

from assistant.chat_format import ChatFormat, system_message, to_toolken_messages
from assistant.config import REPO_ROOT, ConfigError, GenerationConfig, default_config
from assistant.engine import Engine
from assistant.toolkens import add_toolkens
from finetune import train as train_module
from finetune.tokenize import end_of_turn_id, read_records, tokenize_conversation
from finetune.train import TrainConfig, load_train_config, parse_train_config, train
from finetune.trainer import choose_method
from tools.base import Tool, ToolResult
from tools.registry import build_tools

TRAIN_DIR = REPO_ROOT / "data" / "train"
SMOKE = TRAIN_DIR / "smoke"
SYSTEM = "You are a test assistant."
TODAY = date(2026, 3, 2)
#: The system message the engine writes on TODAY, and training writes for a record dated TODAY.
SYSTEM_TODAY = system_message(SYSTEM, TODAY)


# -- config ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(TRAIN_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_training_yaml_validates_and_names_its_command(path: Path):
    config = load_train_config(path)
    assert isinstance(config, TrainConfig)
    assert f"assistant train data/train/{path.name}" in path.read_text(encoding="utf-8")


def test_unknown_and_invalid_keys_are_named(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("method: dora\noptim: {learning_rte: 0.1}\noutput: {dir: out}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_train_config(bad)
    assert "optim.learning_rte: unknown key" in str(error.value)
    assert "method:" in str(error.value) and str(bad) in str(error.value)
    with pytest.raises(ConfigError, match="output: Field required"):
        parse_train_config({"method": "lora"})


def test_relative_paths_are_relative_to_the_yaml(tmp_path: Path):
    (tmp_path / "cfg").mkdir()
    path = tmp_path / "cfg" / "t.yaml"
    path.write_text("data: {dir: ../data}\noutput: {dir: out}\n", encoding="utf-8")
    config = load_train_config(path)
    assert config.data.dir == tmp_path / "data" and config.output.dir == tmp_path / "cfg" / "out"


def test_auto_picks_lora_on_cpu_and_says_why():
    choice = choose_method("auto", torch.device("cpu"))
    assert choice.method == "lora"
    assert "QLoRA on CPU" in choice.reason and "using LoRA" in choice.reason
    assert choose_method("auto", torch.device("cuda")).method == "qlora"
    assert choose_method("ia3", torch.device("cpu")).method == "ia3"


# -- the loss mask is the engine's sampled mask ------------------------------------------------------------


class Replay(Tool):
    """A stand-in for a real tool (same name and schema) that returns what the record's tool message says."""

    def __init__(self, real: Tool, results: dict[str, Any]):
        self.name, self.description, self.parameters = real.name, real.description, real.parameters
        self.results = results

    def run(self, arguments: dict[str, Any]) -> ToolResult:
        return ToolResult(value=self.results[self.name])


class ScriptedDecoder:
    """Logits that prefer script[k] at the k-th feed; records everything fed."""

    computed = 0  # what the last start computed: not counted by this fake

    def __init__(self, vocab_size: int, script: list[int]):
        self.vocab_size, self.script, self.fed = vocab_size, script, []

    @property
    def held(self) -> list[int]:
        return [token for block in self.fed for token in block]

    def reset(self) -> None:
        self.fed = []

    def start(self, token_ids: list[int]) -> torch.Tensor:
        """Go on when `token_ids` extends what was fed (a turn resuming after an approval), else start over."""
        held = self.held
        if not held or token_ids[: len(held)] != held or len(token_ids) == len(held):
            self.reset()
            held = []
        return self.feed(token_ids[len(held):])

    def feed(self, token_ids: list[int]) -> torch.Tensor:
        self.fed.append(list(token_ids))
        logits = torch.zeros(self.vocab_size)
        logits[self.script[min(len(self.fed) - 1, len(self.script) - 1)]] = 10.0
        return logits


@pytest.fixture(scope="module")
def chat_setup(smollm2_folder: Path, tmp_path_factory: pytest.TempPathFactory):
    """SmolLM2's tokenizer with toolkens for the demo tools (replayed), on a tiny model."""
    tokenizer = AutoTokenizer.from_pretrained(smollm2_folder)
    results: dict[str, Any] = {}
    tools = [Replay(t, results) for t in build_tools(default_config().tools, tmp_path_factory.mktemp("state"))]
    tiny = LlamaForCausalLM(LlamaConfig(vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32,
                                        num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2,
                                        tie_word_embeddings=True))
    registry = add_toolkens(tiny, tokenizer, tools)
    return ChatFormat(tokenizer), tools, registry, results


def engine_stream(chat_setup, messages: list[dict[str, Any]], script: list[int]) -> tuple[list[int], list[bool]]:
    """Every token the engine feeds for the turn answering `messages`, and which of them it sampled."""
    chat, tools, registry, _ = chat_setup
    decoder = ScriptedDecoder(len(chat.tokenizer), script)
    # The records' own arguments and replies are replayed: the copy and figure rules (the engine's, not
    # training's) stay out of it ("And twice that?" is answered 168 with no tool result behind it).
    generation = GenerationConfig(repetition_penalty=1.0, max_new_tokens=512, max_argument_tokens=128,
                                  copy_free_text=False, stated_reply_figures=False)
    engine = Engine(decoder, chat, registry, tools, generation, SYSTEM, max_context_tokens=4096)
    states = []
    feed_pending = engine._feed_pending
    engine._feed_pending = lambda state: states.append(state) or feed_pending(state)
    list(engine.run_turn(messages, approve=lambda call: True, today=TODAY))
    fed = [token for block in decoder.fed for token in block]
    sampled = states[-1].sampled
    return fed, [False] * (len(fed) - len(sampled)) + sampled


def learned_after(ids: list[int], learned: list[bool], start: int) -> list[int]:
    return [token for token, keep in zip(ids[start:], learned[start:]) if keep]


def test_tokens_and_labels_reproduce_the_engine_stream_for_every_smoke_record(chat_setup):
    chat, tools, _, results = chat_setup
    end = end_of_turn_id(chat)
    schemas = {tool.name: tool.parameters for tool in tools}
    for record in read_records(SMOKE / "train.jsonl"):
        messages = to_toolken_messages(record["messages"], schemas)
        ids, learned = tokenize_conversation(chat, messages, SYSTEM_TODAY, end)
        results.update({m["name"]: json.loads(m["content"])["result"] for m in messages if m["role"] == "tool"})
        prompt = chat.prompt_ids([{"role": "system", "content": SYSTEM_TODAY}, messages[0]])
        fed, sampled = engine_stream(chat_setup, messages[:1], learned_after(ids, learned, len(prompt)))
        # The engine samples the end-of-turn token and stops without feeding it.
        assert ids == fed + [end], record["id"]
        assert learned == sampled + [True], record["id"]
        assert ids[: len(prompt)] == prompt and not any(learned[: len(prompt)])


def test_a_record_is_trained_with_the_date_line_the_engine_writes(chat_setup):
    """Every record states a date in its system message, as every served turn does: its own, fixed by its id."""
    from finetune.tokenize import record_date, tokenize_record

    chat, tools, _, _ = chat_setup
    end = end_of_turn_id(chat)
    record = read_records(SMOKE / "train.jsonl")[0]
    example = tokenize_record(chat, record, SYSTEM, tools, end)
    messages = to_toolken_messages(record["messages"], {t.name: t.parameters for t in tools})
    expected, _ = tokenize_conversation(chat, messages, system_message(SYSTEM, record_date(record["id"])), end)
    assert example.input_ids == expected and "Today is" in chat.tokenizer.decode(example.input_ids)
    assert record_date(record["id"]) == record_date(record["id"]) != record_date("another id")


def test_every_turn_of_a_multi_turn_conversation_matches_the_engine(chat_setup):
    chat, tools, _, results = chat_setup
    end = end_of_turn_id(chat)
    record = read_records(SMOKE / "train.jsonl")[0]  # a calculator call
    messages = to_toolken_messages(record["messages"], {t.name: t.parameters for t in tools})
    messages += [{"role": "user", "content": "And twice that?"}, {"role": "assistant", "content": "168."}]
    results["calculator"] = json.loads(messages[2]["content"])["result"]
    ids, learned = tokenize_conversation(chat, messages, SYSTEM_TODAY, end)

    first_prompt = len(chat.prompt_ids([{"role": "system", "content": SYSTEM_TODAY}, messages[0]]))
    second_prompt = len(chat.prompt_ids([{"role": "system", "content": SYSTEM_TODAY}, *messages[:5]]))
    first, first_sampled = engine_stream(chat_setup, messages[:1], learned_after(ids, learned, first_prompt))
    second, second_sampled = engine_stream(chat_setup, messages[:5], learned_after(ids, learned, second_prompt))
    assert ids[: len(first) + 1] == first + [end] and learned[: len(first) + 1] == first_sampled + [True]
    assert ids == second + [end] and learned[len(first) + 1 :] == second_sampled[len(first) + 1 :] + [True]


# -- training runs --------------------------------------------------------------------------------------------


def make_config(model_path: Path | None, data: Path, out: Path, **optim: Any) -> TrainConfig:
    return TrainConfig.model_validate({
        "model": {"path": model_path, "device": "cpu", "system_prompt": SYSTEM},
        "data": {"dir": data, "max_seq_len": 256},
        "method": "auto",
        "lora": {"r": 8, "alpha": 16, "dropout": 0.0},
        "optim": {"batch_size": 2, "learning_rate": 3e-3, "warmup_ratio": 0.0, "lr_scheduler": "constant_with_warmup",
                  **optim},
        "output": {"dir": out, "save_steps": optim.get("max_steps", 1000), "logging_steps": 1},
    })


@pytest.fixture(scope="module")
def overfit(smollm2_two_layers: Path, tmp_path_factory: pytest.TempPathFactory):
    """8 steps on the 8 smoke records, evaluated on those same records; parameters snapshotted around it."""
    root = tmp_path_factory.mktemp("overfit")
    data = root / "data"
    data.mkdir()
    shutil.copy(SMOKE / "train.jsonl", data / "train.jsonl")
    shutil.copy(SMOKE / "train.jsonl", data / "eval.jsonl")  # the loss "on those records"
    config = make_config(smollm2_two_layers, data, root / "adapter", max_steps=8)
    seen: dict[str, Any] = {}
    prepare = train_module.prepare_run

    def spy(*args):
        run = prepare(*args)
        seen["run"] = run
        seen["before"] = {n: p.detach().clone() for n, p in run.trainer.model.named_parameters()}
        seen["embedding_before"] = run.trainer.model.get_input_embeddings().weight.detach().clone()
        return run

    console = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(console):
        patch.setattr(train_module, "prepare_run", spy)
        result = train(config, root / "home")
    return result, seen, console.getvalue(), data


def test_a_few_lora_steps_lower_the_loss_on_the_trained_records(overfit):
    result, _, console, _ = overfit
    assert result.method == "lora" and result.steps == 8
    assert result.eval_loss < 0.7 * result.eval_loss_before, (result.eval_loss_before, result.eval_loss)
    assert result.tokens_per_second > 0 and result.train_tokens > 0
    assert "method: lora (auto on CPU: QLoRA on CPU" in console  # says what it picked, and why
    assert "trainable parameters:" in console and "tokens/s" in console


def test_only_lora_weights_and_toolken_rows_change(overfit):
    _, seen, _, _ = overfit
    model = seen["run"].trainer.model
    toolkens = torch.tensor(seen["run"].registry.token_ids)
    changed = {n for n, p in model.named_parameters() if not torch.equal(p.detach(), seen["before"][n])}
    assert changed and all("lora_" in n or "trainable_tokens_delta" in n for n in changed), changed
    assert any("trainable_tokens_delta" in n for n in changed)

    # As the forward pass uses them: the input embedding and the (tied) output projection.
    embedding = model.get_input_embeddings().weight.detach()
    head = model.get_output_embeddings().weight.detach()
    before = seen["embedding_before"]
    rows_changed = (embedding != before).any(dim=1).nonzero().flatten()
    assert torch.equal(rows_changed, toolkens)  # every toolken row moved, no other row did
    assert torch.equal(head, embedding)

    ids = torch.tensor([[1, 2, 3, int(toolkens[0])]])
    with torch.no_grad():
        out = model(input_ids=ids, output_hidden_states=True)
    hidden = out.hidden_states[-1][0, -1]  # (hidden,) after the final norm
    assert torch.allclose(out.logits[0, -1, toolkens], embedding[toolkens] @ hidden, atol=1e-4)
    assert not torch.allclose(out.logits[0, -1, toolkens], before[toolkens] @ hidden, atol=1e-3)


def test_output_folder_holds_the_adapter_registry_config_fingerprint_and_metrics(overfit):
    result, _, _, data = overfit
    out = result.output_dir
    for name in ("adapter_model.safetensors", "adapter_config.json", "toolkens.json", "train_config.yaml",
                 "dataset.json", "metrics.json"):
        assert (out / name).is_file(), name
    assert (out / "checkpoints" / "checkpoint-8").is_dir() and any((out / "tensorboard").iterdir())
    # a checkpoint is an adapter too: its weights with the registry that gives their toolken rows meaning
    saved_registry = (out / "checkpoints" / "checkpoint-8" / "toolkens.json").read_text()
    assert saved_registry == (out / "toolkens.json").read_text()
    assert (out / "adapter_model.safetensors").stat().st_size < 2_000_000  # no embedding matrix inside
    dataset = json.loads((out / "dataset.json").read_text())
    assert dataset["train_sha256"] == hashlib.sha256((data / "train.jsonl").read_bytes()).hexdigest()
    assert dataset["train_records"] == 8
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["training"]["method"] == "lora" and metrics["training"]["steps"] == 8
    saved = yaml.safe_load((out / "train_config.yaml").read_text())
    assert parse_train_config(saved).optim.max_steps == 8


def test_resume_continues_the_step_count(smollm2_two_layers: Path, tmp_path: Path):
    with contextlib.redirect_stdout(io.StringIO()):
        first = train(make_config(smollm2_two_layers, SMOKE, tmp_path / "out", max_steps=2), tmp_path / "home")
        assert first.steps == 2 and first.resumed_from is None
        with pytest.raises(ConfigError, match="output.resume"):
            train(make_config(smollm2_two_layers, SMOKE, tmp_path / "out", max_steps=4), tmp_path / "home")
        config = make_config(smollm2_two_layers, SMOKE, tmp_path / "out", max_steps=4)
        config.output.resume = True
        second = train(config, tmp_path / "home")
    assert second.resumed_from is not None and second.resumed_from.name == "checkpoint-2"
    assert second.steps == 4


def test_the_adapter_loads_in_the_engine_and_a_forced_call_is_made(smollm2_folder: Path, model_cache: Path, tmp_path: Path):
    from safetensors.torch import load_file

    from assistant.config import ModelConfig
    from assistant.decoding import CausalLMDecoder
    from assistant.events import ToolCall
    from assistant.model import load_model

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(SMOKE / "train.jsonl", data / "train.jsonl")  # no eval file: no eval passes
    config = make_config(smollm2_folder, data, tmp_path / "adapter", max_steps=6)
    with contextlib.redirect_stdout(io.StringIO()):
        result = train(config, tmp_path / "home")

    tools = build_tools(config.tools, tmp_path / "home")
    loaded = load_model(ModelConfig(adapter=result.output_dir, device="cpu"), tools, model_cache)
    trained = next(v for k, v in load_file(result.output_dir / "adapter_model.safetensors").items()
                   if "trainable_tokens_delta" in k)
    rows = loaded.model.get_input_embeddings().weight[loaded.registry.token_ids]
    assert torch.equal(rows.detach(), trained.to(rows.dtype))

    generation = GenerationConfig(max_new_tokens=40, max_argument_tokens=24)
    engine = Engine(CausalLMDecoder(loaded.model), ChatFormat(loaded.tokenizer), loaded.registry, tools,
                    generation, SYSTEM)
    events = list(engine.run_turn([{"role": "user", "content": "What is 12 times 7?"}], force_tool="calculator"))
    calls = [e for e in events if isinstance(e, ToolCall)]
    assert calls and calls[0].tool == "calculator" and "expression" in calls[0].arguments


def test_records_the_tools_cannot_serve_are_refused_and_long_ones_left_out(chat_setup):
    from finetune.tokenize import DatasetError, tokenize_split

    chat, tools, _, _ = chat_setup
    records = read_records(SMOKE / "train.jsonl")
    split = tokenize_split(chat, records, SYSTEM, tools, max_seq_len=120)
    assert split.too_long and len(split.examples) + len(split.too_long) == len(records)
    assert all(len(e.input_ids) <= 120 and len(e.labels) == len(e.input_ids) for e in split.examples)
    stranger = json.loads(json.dumps(records[0]).replace('"calculator"', '"api.nope"'))
    with pytest.raises(DatasetError, match=r"record smoke-train-0: it calls 'api.nope'"):
        tokenize_split(chat, [stranger], SYSTEM, tools, max_seq_len=1024)


def test_a_full_fine_tune_loads_back_with_its_trained_toolken_rows(smollm2_two_layers: Path, tmp_path: Path):
    from assistant.config import ModelConfig
    from assistant.model import load_model

    config = make_config(smollm2_two_layers, SMOKE, tmp_path / "full", max_steps=2)
    config.method = "full"
    with contextlib.redirect_stdout(io.StringIO()):
        result = train(config, tmp_path / "home")
    assert (result.output_dir / "toolkens.json").is_file()

    tools = build_tools(config.tools, tmp_path / "home")
    loaded = load_model(ModelConfig(path=result.output_dir, device="cpu"), tools, tmp_path / "cache")
    trained = LlamaForCausalLM.from_pretrained(result.output_dir).get_input_embeddings().weight
    saved = json.loads((result.output_dir / "toolkens.json").read_text())
    ids = [t["token_id"] for t in saved["toolkens"]]
    assert loaded.registry.token_ids == ids  # the saved registry, not a fresh one
    rows = loaded.model.get_input_embeddings().weight
    assert rows.shape[0] == trained.shape[0]  # no second set of toolken rows
    assert torch.equal(rows[ids].detach(), trained[ids].detach())


def test_the_learned_positions_loss_equals_the_model_s_own_loss_and_gradient():
    """The CPU training path projects only learned positions onto the vocabulary; the loss and the adapter's
    gradient must be the ones the model's own loss over full logits gives."""
    from peft import LoraConfig, get_peft_model

    from finetune.trainer import learned_positions_loss, takes_position_mask

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=96, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=True)
    model = get_peft_model(LlamaForCausalLM(config), LoraConfig(
        r=4, lora_dropout=0.0, target_modules=["q_proj", "v_proj"], trainable_token_indices=[90, 91]))
    model.train()
    input_ids = torch.randint(0, 96, (2, 12))
    labels = input_ids.clone()
    labels[0, :5] = -100  # a masked prompt
    labels[1, :3] = -100
    labels[1, 7:9] = -100  # a masked tool result inside the turn
    inputs = {"input_ids": input_ids, "labels": labels}
    assert takes_position_mask(model)

    def loss_and_grads(compute):
        model.zero_grad()
        loss = compute()
        loss.backward()
        return loss.detach(), [p.grad.clone() for p in model.parameters() if p.requires_grad]

    reference, reference_grads = loss_and_grads(lambda: model(**inputs).loss)
    ours, our_grads = loss_and_grads(lambda: learned_positions_loss(model, inputs, None))
    assert torch.allclose(ours, reference, atol=1e-6)
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(our_grads, reference_grads))
    learned = int((labels[:, 1:] != -100).sum())
    summed, _ = loss_and_grads(lambda: learned_positions_loss(model, inputs, torch.tensor(2 * learned)))
    assert torch.allclose(summed, reference / 2, atol=1e-6)  # divided by the count it is given


def test_eval_records_are_sampled_with_each_sources_share():
    from finetune.tokenize import stratified

    records = ([{"id": f"c{i}", "source": "catalog"} for i in range(60)]
               + [{"id": f"k{i}", "source": "calculator"} for i in range(30)]
               + [{"id": f"r{i}", "source": "retrieval"} for i in range(9)]
               + [{"id": "n0", "source": "no_call"}])
    sample = stratified(records, 20)
    sources = [record["source"] for record in sample]
    assert len(sample) == 20 and sources.count("catalog") >= 11 and sources.count("calculator") >= 5
    assert "retrieval" in sources and "no_call" in sources
    assert stratified(records, None) == records and stratified(records[:5], 20) == records[:5]


def test_transfer_takes_the_lora_weights_of_an_adapter_of_other_tools(overfit, smollm2_two_layers: Path, tmp_path: Path):
    from peft import get_peft_model_state_dict
    from safetensors.torch import load_file

    from finetune.train import transfer_lora
    from finetune.trainer import peft_config

    source = overfit[0].output_dir
    tokenizer = AutoTokenizer.from_pretrained(smollm2_two_layers)
    model = LlamaForCausalLM.from_pretrained(smollm2_two_layers)
    other_tools = [Replay(t, {}) for t in build_tools(default_config().tools, tmp_path)][:2]  # fewer, other rows
    registry = add_toolkens(model, tokenizer, other_tools)
    config = make_config(smollm2_two_layers, tmp_path, tmp_path / "out")
    with contextlib.redirect_stdout(io.StringIO()):
        wrapped = transfer_lora(model, peft_config(config, "lora", registry, model), source, registry)
    trained = {k: v for k, v in load_file(source / "adapter_model.safetensors").items() if ".lora_" in k}
    now = get_peft_model_state_dict(wrapped)
    assert trained and all(torch.equal(now[name], tensor) for name, tensor in trained.items())
    # The two tools both adapters have keep the trained rows (registry order: the source's first two).
    delta = next(name for name in now if name.endswith("trainable_tokens_delta"))
    source_rows = load_file(source / "adapter_model.safetensors")[delta]
    assert len(registry.toolkens) == 2 and torch.equal(now[delta], source_rows[:2])

    smaller = make_config(smollm2_two_layers, tmp_path, tmp_path / "out2").model_copy(
        update={"lora": config.lora.model_copy(update={"r": 4})})
    fresh = LlamaForCausalLM.from_pretrained(smollm2_two_layers)
    fresh_registry = add_toolkens(fresh, AutoTokenizer.from_pretrained(smollm2_two_layers), other_tools)
    with pytest.raises(ConfigError, match="has rank 8 .* asks for rank 4"):
        transfer_lora(fresh, peft_config(smaller, "lora", fresh_registry, fresh), source, fresh_registry)

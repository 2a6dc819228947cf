"""The adapter registry (statuses, promotion, rollback, export), the serving precedence, the CLI over it,
and the hot swap: a promotion reaches a running assistant at its next turn, while a running turn finishes
on the engine it started with."""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
from pathlib import Path

import pytest

from assistant import adapters as adapters_module
from assistant.adapters import AdapterError, AdapterRegistry, choose_adapter
from assistant.cli import main
from assistant.config import REPO_ROOT, default_config

# -- the registry, on adapter folders as training writes them (weights stubbed: nothing here loads them) -----


def make_adapter(home: Path, name: str, *, lineage: dict | None = None, gate: dict | None = None) -> Path:
    folder = home / "adapters" / name
    (folder / "checkpoints" / "checkpoint-2").mkdir(parents=True)
    (folder / "tensorboard").mkdir()
    (folder / "adapter_config.json").write_text("{}")
    (folder / "adapter_model.safetensors").write_bytes(b"weights")
    (folder / "checkpoints" / "checkpoint-2" / "optimizer.pt").write_bytes(b"state")
    (folder / "tensorboard" / "events.out").write_bytes(b"log")
    (folder / "metrics.json").write_text(json.dumps({"training": {"steps": 2}}))
    if lineage is not None:
        (folder / "lineage.json").write_text(json.dumps(lineage))
    if gate is not None:
        (folder / "gate.json").write_text(json.dumps(gate))
    return folder


@pytest.fixture()
def home(tmp_path: Path) -> Path:
    make_adapter(tmp_path, "a", lineage={"created": "2025-01-01T00:00:00+00:00", "parent": None, "trigger": "cli"})
    make_adapter(tmp_path, "b", lineage={"created": "2025-01-02T00:00:00+00:00", "parent": "a", "trigger": "schedule"})
    make_adapter(tmp_path, "c", lineage={"created": "2025-01-03T00:00:00+00:00", "parent": "b"},
                 gate={"decision": "rejected", "reason": "fixed.loss worse by 0.3"})
    (tmp_path / "adapters" / ".staging-x").mkdir()  # not an adapter: never listed
    (tmp_path / "adapters" / "notes").mkdir()
    return tmp_path


def statuses(registry: AdapterRegistry) -> dict[str, str]:
    return {info.name: info.status for info in registry.list()}


def test_list_reads_status_reason_metrics_and_lineage(home: Path):
    registry = AdapterRegistry(home)
    assert registry.serving() is None and registry.pointer_stamp() is None
    listed = registry.list()
    assert [info.name for info in listed] == ["a", "b", "c"]  # oldest first; hidden and non-adapter folders left out
    assert statuses(registry) == {"a": "candidate", "b": "candidate", "c": "rejected"}
    rejected = listed[2]
    assert rejected.reason == "fixed.loss worse by 0.3" and rejected.lineage["parent"] == "b"
    assert rejected.metrics == {"training": {"steps": 2}} and rejected.path == home / "adapters" / "c"


def test_promote_and_rollback_keep_a_history(home: Path):
    registry = AdapterRegistry(home)
    assert registry.promote("a", by="ann").status == "serving"
    registry.promote("b", by="retrain (schedule)")
    assert statuses(registry) == {"a": "retired", "b": "serving", "c": "rejected"}
    assert registry.serving().name == "b"

    assert registry.rollback(by="ann").name == "a"  # undoes b's promotion
    assert statuses(registry)["a"] == "serving" and statuses(registry)["b"] == "retired"
    assert registry.rollback(by="ann") is None  # a was the first promoted: the default serves again
    assert registry.serving() is None and statuses(registry)["a"] == "retired"
    with pytest.raises(AdapterError, match="the default serves, nothing to roll back to"):
        registry.rollback(by="ann")
    assert registry.rollback("b", by="bob").name == "b"  # any adapter that served before
    with pytest.raises(AdapterError, match="never served"):
        registry.rollback("c")
    with pytest.raises(AdapterError, match="already serving"):
        registry.rollback("b")
    with pytest.raises(AdapterError, match="no adapter 'zz'"):
        registry.promote("zz", by="ann")
    with pytest.raises(AdapterError, match="not an adapter name"):
        registry.promote("../a", by="ann")

    history = registry.history()
    assert [(e["action"], e["name"], e["previous"], e["by"]) for e in history] == [
        ("promote", "a", None, "ann"), ("promote", "b", "a", "retrain (schedule)"),
        ("rollback", "a", "b", "ann"), ("rollback", None, "a", "ann"), ("rollback", "b", None, "bob")]
    # The pointer is replaced whole: no temporary file is left beside it.
    assert sorted(p.name for p in (home / "adapters").glob(".serving.json*")) == [".serving.json.lock"]


def test_export_zip_holds_the_adapter_config_metrics_and_logs_but_no_checkpoints(home: Path, tmp_path: Path):
    registry = AdapterRegistry(home)
    out = tmp_path / "exports"
    out.mkdir()
    path = registry.export_zip("b", out)
    assert path == out / "b.zip"
    names = set(zipfile.ZipFile(path).namelist())
    assert {"b/adapter_config.json", "b/adapter_model.safetensors", "b/metrics.json", "b/lineage.json",
            "b/tensorboard/events.out"} <= names
    assert not any("checkpoints" in name for name in names)
    assert registry.export_zip("a", tmp_path / "named.zip") == tmp_path / "named.zip"


def test_the_user_s_adapter_beats_the_registry_which_beats_the_shipped_default(
    home: Path, monkeypatch: pytest.MonkeyPatch
):
    registry = AdapterRegistry(home)
    config = default_config()
    shipped = make_adapter(home, "shipped")
    monkeypatch.setattr(adapters_module, "DEFAULT_ADAPTER", shipped)
    assert choose_adapter(None, registry, config) == shipped
    registry.promote("a", by="ann")
    assert choose_adapter(None, registry, config) == home / "adapters" / "a"
    assert choose_adapter(home / "mine", registry, config) == home / "mine"


def test_the_shipped_adapter_serves_only_the_model_and_tools_it_was_trained_for(
    home: Path, monkeypatch: pytest.MonkeyPatch
):
    registry = AdapterRegistry(home)
    config = default_config()
    monkeypatch.setattr(adapters_module, "DEFAULT_ADAPTER", home / "not-shipped")
    assert choose_adapter(None, registry, config) is None  # no adapter folder: the base model
    monkeypatch.setattr(adapters_module, "DEFAULT_ADAPTER", make_adapter(home, "shipped"))
    harbor = REPO_ROOT / "data" / "examples" / "harbor" / "catalog.yaml"
    other_catalog = config.model_copy(deep=True)
    other_catalog.tools.catalog.path = harbor
    other_model = config.model_copy(deep=True)
    other_model.model.path = home / "my-model"
    no_search = config.model_copy(deep=True)
    no_search.tools.retrieval.enabled = False
    for other in (other_catalog, other_model, no_search):
        assert choose_adapter(None, registry, other) is None


def test_the_shipped_adapter_fits_the_default_config_and_its_toolkens_are_the_demo_tools(tmp_path: Path):
    """data/adapters/demo is what `assistant ask` serves out of the box: its registry must list exactly the
    default tools, in toolken order, with the schemas the demo catalog gives them today."""
    from assistant.toolkens import ToolkenRegistry, schema_fingerprint
    from tools.registry import build_tools

    config = default_config()
    assert adapters_module.shipped_adapter_fits(config)
    assert choose_adapter(None, AdapterRegistry(tmp_path), config) == adapters_module.DEFAULT_ADAPTER
    registry = ToolkenRegistry.load(adapters_module.DEFAULT_ADAPTER)
    tools = build_tools(config.tools, tmp_path)
    assert registry.names == [tool.name for tool in tools]
    assert registry.names[:2] == ["calculator", "search"] and len(registry.names) > 2
    for tool in tools:
        assert registry.by_name(tool.name).schema == tool.parameters
        assert registry.by_name(tool.name).schema_sha256 == schema_fingerprint(tool.parameters)
    registry.check_tools(tools)
    shipped = {p.name for p in adapters_module.DEFAULT_ADAPTER.iterdir()}
    assert {"adapter_config.json", "adapter_model.safetensors", "toolkens.json", "metrics.json"} <= shipped
    assert not shipped & {"checkpoints", "tensorboard", "progress.jsonl"}  # serving files only


def test_the_cli_lists_promotes_and_rolls_back(home: Path):
    def run(*args: str) -> str:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["adapters", *args, "--home", str(home)]) == 0
        return out.getvalue()

    assert run("promote", "a").startswith("a serves")
    run("promote", "b")
    listing = run("list")
    assert listing.splitlines()[0].split() == ["name", "status", "created", "parent", "trigger", "reason"]
    rows = {line.split()[0]: line.split() for line in listing.splitlines()[1:]}
    assert rows["b"][1] == "serving" and rows["a"][1] == "retired" and rows["b"][3:5] == ["a", "schedule"]
    assert rows["c"][1] == "rejected" and "fixed.loss worse by 0.3" in listing
    assert "rolled back: a serves" in run("rollback")
    assert "rolled back: the shipped demo adapter (demo) serves" in run("rollback")  # the default config's default
    assert "rolled back: b serves" in run("rollback", "b")
    assert main(["adapters", "promote", "nope", "--home", str(home)]) == 2  # a user error, named


# -- the hot swap, on real adapters and the real runtime -------------------------------------------------------


@pytest.fixture(scope="module")
def served(smollm2_two_layers: Path, tmp_path_factory: pytest.TempPathFactory, single_torch_thread: None):
    """A state directory with two real adapters (1 training step each, different seeds) and a config
    serving the 2-layer model with the calculator only."""
    from assistant.config import REPO_ROOT, AssistantConfig
    from finetune.train import TrainConfig, train

    home = tmp_path_factory.mktemp("served")
    data = home / "smoke"
    data.mkdir()
    records = (REPO_ROOT / "data" / "train" / "smoke" / "train.jsonl").read_text().splitlines()
    (data / "train.jsonl").write_text("\n".join(r for r in records if '"tool": "calculator"' in r) + "\n")
    tools = {"catalog": {"path": None}, "retrieval": {"enabled": False}}
    for name, seed in (("first", 1), ("second", 2)):
        config = TrainConfig.model_validate({
            "model": {"path": smollm2_two_layers, "device": "cpu"}, "data": {"dir": data, "max_seq_len": 256},
            "lora": {"r": 4, "alpha": 8},
            "optim": {"max_steps": 1, "batch_size": 2, "seed": seed, "learning_rate": 1e-2, "warmup_ratio": 0.0},
            "output": {"dir": home / "adapters" / name}, "tools": tools,
        })
        with contextlib.redirect_stdout(io.StringIO()):
            train(config, home)
    config = AssistantConfig.model_validate({
        "model": {"path": smollm2_two_layers, "device": "cpu"}, "tools": tools, "start_demo_api": False,
        "generation": {"max_new_tokens": 4},
    })
    return config, home


def answer(assistant, question: str):
    from assistant.events import TurnLogged

    logged = [e for e in assistant.ask(question) if isinstance(e, TurnLogged)]
    return logged[0]


def logged_model(assistant, event) -> str:
    return assistant.store.turns(event.conversation_id)[-1].model


def test_a_promotion_is_served_from_the_next_turn_and_a_running_turn_keeps_its_engine(served):
    from assistant.runtime import Assistant

    config, home = served
    registry = AdapterRegistry(home)
    assistant = Assistant(config, home)
    try:
        assert assistant.loaded.adapter is None  # nothing promoted: the base model
        base = assistant.model_name
        assert assistant.reload_adapter_if_changed() is False  # the pointer did not change: nothing to do
        registry.promote("first", by="test")
        first = logged_model(assistant, answer(assistant, "Hi"))
        assert first.endswith("+" + str(home / "adapters" / "first"))
        engine_first = assistant.engine

        running = assistant.ask("What is 2+2?")
        next(running)  # the turn has started on `first`
        registry.promote("second", by="test")
        rest = list(running)  # ... and finishes on it, although `second` now serves
        assert logged_model(assistant, rest[-1]) == first
        assert assistant.engine is engine_first  # no turn has started since

        after = logged_model(assistant, answer(assistant, "Hi again"))
        assert after.endswith("+" + str(home / "adapters" / "second"))
        assert assistant.engine is not engine_first

        registry.rollback(by="test")
        assert logged_model(assistant, answer(assistant, "Once more")) == first
        registry.rollback(by="test")  # `first` was the first promoted: the default, the base model here
        assert logged_model(assistant, answer(assistant, "And back")) == base
    finally:
        assistant.close()


def test_an_adapter_the_user_names_is_never_swapped_and_a_broken_one_never_served(served, tmp_path: Path):
    import shutil

    from assistant.runtime import Assistant

    config, home = served
    first = home / "adapters" / "first"
    pinned = config.model_copy(update={"model": config.model.model_copy(update={"adapter": first})})
    registry = AdapterRegistry(home)
    registry.promote("second", by="test")
    assistant = Assistant(pinned, home)
    try:
        assert assistant.loaded.adapter == home / "adapters" / "first"  # the user's choice wins at start ...
        registry.promote("first", by="test")
        registry.promote("second", by="test")
        assert assistant.reload_adapter_if_changed() is False  # ... and later
    finally:
        assistant.close()

    broken = home / "adapters" / "broken"
    shutil.copytree(home / "adapters" / "second", broken)
    (broken / "adapter_model.safetensors").write_bytes(b"not weights")
    assistant = Assistant(config, home)
    try:
        serving = assistant.model_name
        registry.promote("broken", by="test")
        assert assistant.reload_adapter_if_changed() is False
        assert assistant.model_name == serving  # logged, and the adapter that was serving goes on
    finally:
        assistant.close()
        shutil.rmtree(broken)


def test_a_served_adapter_is_merged_into_the_weights_with_the_same_logits(served, model_cache: Path):
    """Serving merges the adapter (PEFT would otherwise rebuild the embedding matrix at every step); the
    merged model scores every token as the adapter does, toolkens included."""
    import torch
    from peft import PeftModel

    from assistant.model import load_base, load_model
    from assistant.toolkens import ToolkenRegistry, add_toolkens
    from tools.registry import build_tools

    config, home = served
    adapter = home / "adapters" / "first"
    tools = build_tools(config.tools, home)
    merged = load_model(config.model.model_copy(update={"adapter": adapter}), tools, model_cache)
    assert not isinstance(merged.model, PeftModel)
    base, tokenizer = load_base(config.model.path, "fp32", torch.device("cpu"))
    add_toolkens(base, tokenizer, tools, ToolkenRegistry.load(adapter))
    wrapped = PeftModel.from_pretrained(base, adapter).eval()
    ids = torch.tensor([tokenizer("What is 2+2?")["input_ids"] + merged.registry.token_ids])
    with torch.no_grad():
        expected, served_logits = wrapped(input_ids=ids).logits, merged.model(input_ids=ids).logits
        plain = load_model(config.model, tools, model_cache).model(input_ids=ids).logits
    assert torch.allclose(served_logits, expected, atol=1e-4)
    assert not torch.allclose(plain, expected, atol=1e-2)  # the adapter does change what the model says
    for tool in tools:
        tool.close()

"""What the console's tabs call: training configs from presets and pickers, progress files, uploaded
catalogs and documents, and the playground's side-by-side turns (with scripted engines)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from assistant.config import DEMO_CATALOG, ConfigError, default_config
from assistant.events import TextDelta
from finetune.presets import compose_train_config, presets
from finetune.progress import read_progress
from tools.catalog import load_catalog
from tools.openapi import CatalogError
from ui.playground import Playground
from ui.uploads import list_catalogs, save_catalog, save_documents, set_examples


def compose(yaml_text: str, tmp_path: Path, method: str = "lora"):
    config = default_config()
    return compose_train_config(yaml_text, base_model=None, dataset=tmp_path / "data", method=method,
                                output_dir=tmp_path / "adapters" / "a", tools=config.tools,
                                system_prompt=config.system_prompt)


def test_every_shipped_preset_composes_and_the_pickers_win(tmp_path: Path):
    shipped = presets()
    assert "tiny-smoke" in shipped and "output:\n  dir" not in shipped["tiny-smoke"]
    for text in shipped.values():
        assert compose(text, tmp_path).method == "lora"
    config = compose("data:\n  dir: /elsewhere\n  max_seq_len: 256\noutput:\n  dir: /tmp/x\n  resume: true\n",
                     tmp_path)
    assert config.data.dir == tmp_path / "data" and config.data.max_seq_len == 256
    assert config.output.dir == tmp_path / "adapters" / "a" and config.output.resume is False


@pytest.mark.parametrize("text, message", [
    ("optim:\n  learning_rate: -1\n", "optim.learning_rate"),
    ("optim:\n  lr: 0.1\n", "optim.lr: unknown key"),
    ("optim: [unclosed", "not valid YAML"),
    ("- a list\n", "must be a mapping"),
])
def test_bad_hyperparameters_are_named_before_anything_starts(tmp_path: Path, text: str, message: str):
    with pytest.raises(ConfigError, match=message):
        compose(text, tmp_path)


def test_progress_keeps_the_latest_value_per_step_and_survives_a_half_written_line(tmp_path: Path):
    lines = [{"event": "eval", "step": 0, "max_steps": 0, "eval_loss": 4.0},
             {"event": "begin", "step": 0, "max_steps": 4},
             {"event": "log", "step": 1, "max_steps": 4, "loss": 3.0},
             {"event": "log", "step": 2, "max_steps": 4, "loss": 2.5},
             {"event": "end", "step": 4, "max_steps": 4},
             {"event": "eval", "step": 4, "max_steps": 4, "eval_loss": 2.0}]
    path = tmp_path / "progress.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines) + '{"event": "lo', encoding="utf-8")
    progress = read_progress(path)
    assert (progress.step, progress.max_steps, progress.ended, progress.fraction) == (4, 4, True, 1.0)
    assert progress.losses == [(1, 3.0), (2, 2.5)] and progress.eval_losses == [(0, 4.0), (4, 2.0)]
    assert read_progress(tmp_path / "absent.jsonl").max_steps == 0


def test_a_catalog_is_kept_only_when_it_loads(tmp_path: Path):
    path, catalog = save_catalog(tmp_path, "../../Demo API.yaml", DEMO_CATALOG.read_bytes())
    assert path == tmp_path / "catalogs" / "Demo_API.yaml" and len(catalog.operations) == 15
    catalog.close()
    with pytest.raises(CatalogError):
        save_catalog(tmp_path, "broken.yaml", b"openapi: 3.0.0\ninfo: {}\n")
    with pytest.raises(ValueError, match="yaml, .yml or .json"):
        save_catalog(tmp_path, "notes.txt", b"x")
    assert list_catalogs(tmp_path, DEMO_CATALOG) == [DEMO_CATALOG, path]  # the broken one was not kept


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_an_operations_example_requests_are_edited_in_place_and_a_refused_edit_changes_nothing(
    tmp_path: Path, suffix: str
):
    source = tmp_path / f"demo{suffix}"
    document = yaml.safe_load(DEMO_CATALOG.read_text())
    source.write_text(json.dumps(document) if suffix == ".json" else yaml.safe_dump(document))
    with load_catalog(source) as before:
        operations = [(op.operation_id, op.examples) for op in before.operations]
    target, examples = operations[0]

    with set_examples(source, target, [*examples, "  who runs  the Finance team ", ""]) as after:
        edited = {op.operation_id: op.examples for op in after.operations}
    assert edited[target] == (*examples, "who runs the Finance team")
    assert all(edited[name] == kept for name, kept in operations[1:])  # the other operations are untouched
    with set_examples(source, target, []) as cleared:
        assert next(op.examples for op in cleared.operations if op.operation_id == target) == ()

    saved = source.read_bytes()
    with pytest.raises(CatalogError, match=f"{source.name}: operation {target}: x-examples: at most 50"):
        set_examples(source, target, ["too long " * 100])
    with pytest.raises(ValueError, match="has no operation 'bookSpaceship'"):
        set_examples(source, "bookSpaceship", ["book a spaceship"])
    assert source.read_bytes() == saved and sorted(tmp_path.iterdir()) == [source]  # no scratch copy left


def test_documents_of_readable_types_are_kept(tmp_path: Path):
    folder, kept = save_documents(tmp_path, [("guide.md", b"# Guide"), ("sub/notes.txt", b"hi")])
    assert kept == ["guide.md", "notes.txt"] and (folder / "notes.txt").read_text() == "hi"
    with pytest.raises(ValueError, match="only"):
        save_documents(tmp_path, [("tool.exe", b"MZ")])


class ScriptedEngine:
    def __init__(self, words: list[str]):
        self.words = words

    def run_turn(self, messages, **kwargs):
        assert kwargs["dry_run"] is True  # the playground never sends API calls
        for word in self.words:
            yield TextDelta(word)


def test_the_playground_interleaves_columns_and_keeps_few_engines_loaded():
    made = []

    def make(adapter):
        made.append(adapter)
        return ScriptedEngine(["a1", "a2", "a3"] if adapter is None else ["b1"])

    serving = ScriptedEngine(["s1"])
    playground = Playground(make, lambda: (Path("serving"), serving), keep=1)
    events = list(playground.compare("hi", default_config().generation, [None, Path("ad")]).events())
    assert [(column, event.text) for column, event in events] == [(0, "a1"), (1, "b1"), (0, "a2"), (0, "a3")]
    assert made == [None, Path("ad")]
    list(playground.compare("hi", default_config().generation, [Path("ad")]).events())
    assert made == [None, Path("ad")]  # still loaded
    list(playground.compare("hi", default_config().generation, [None]).events())
    assert made == [None, Path("ad"), None]  # keep=1: loading the second had pushed out the first
    events = list(playground.compare("hi", default_config().generation, [Path("serving")]).events())
    assert [event.text for _, event in events] == ["s1"]  # the chat's own engine, not another copy
    assert made == [None, Path("ad"), None]
    with pytest.raises(ValueError, match="different models"):
        playground.compare("hi", default_config().generation, [None, None])
    with pytest.raises(ValueError, match="empty"):
        playground.compare("  ", default_config().generation, [None])


def test_the_training_tab_shows_a_jobs_progress_losses_and_log(tmp_path: Path):
    from ui.jobs import Job
    from ui.training_tab import job_detail, step_axis

    out, folder = tmp_path / "adapter", tmp_path / "job"
    out.mkdir()
    folder.mkdir()
    lines = [{"event": "eval", "step": 0, "eval_loss": 4.0}, {"event": "begin", "step": 0, "max_steps": 4},
             {"event": "log", "step": 1, "max_steps": 4, "loss": 3.5}, {"event": "log", "step": 2, "max_steps": 4,
                                                                       "loss": 3.0}]
    (out / "progress.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    log_lines = [f"line {i}" for i in range(30)]
    (folder / "log.txt").write_text("\n".join(log_lines) + "\nmethod: lora\r  50%|##   | 2/4\n\n", encoding="utf-8")
    job = Job(id=3, name="a", status="running", submitted_by="ada", output_dir=out, folder=folder, created_at=0.0,
              started_at=1.0, finished_at=11.0, pid=None, returncode=None, error=None)
    line, frame, axis, log = job_detail(job)
    assert line.startswith("**Job 3 · a: running**") and "step 2 of 4 (50%)" in line
    assert "loss 3.000" in line and "eval loss 4.000" in line and "10 s" in line
    assert frame.to_dict("list") == {"step": [1, 2], "loss": [3.5, 3.0]}
    assert axis == [0, 10]  # a short run: the axis spans 10 steps, so its ticks are whole steps
    assert step_axis(400, [(1, 2.0)]) == [0, 400] and step_axis(None, [(25, 1.0)]) == [0, 25]
    assert log.splitlines() == [*log_lines[-8:], "method: lora", "  50%|##   | 2/4"]  # the tail, 10 lines
    assert job_detail(None)[1] is None


def test_the_playground_offers_the_adapter_answering_now_even_when_the_registry_does_not_hold_it(tmp_path: Path):
    from types import SimpleNamespace

    from assistant.adapters import DEFAULT_ADAPTER, AdapterRegistry
    from ui.playground_tab import BASE, model_choices

    registered = tmp_path / "adapters" / "mine"
    registered.mkdir(parents=True)
    (registered / "adapter_config.json").write_text("{}")

    def services(answering: Path | None):
        return SimpleNamespace(adapters=lambda: AdapterRegistry(tmp_path),
                               assistant=SimpleNamespace(loaded=SimpleNamespace(adapter=answering)))

    shipped = model_choices(services(DEFAULT_ADAPTER))
    assert shipped[0] == (BASE, "") and shipped[1] == ("demo (serving)", str(DEFAULT_ADAPTER))
    assert [label for label, _ in shipped[2:]] == ["mine (candidate)"]
    # a registry adapter answering is listed once, with its status
    assert [label for label, _ in model_choices(services(registered))] == [BASE, "mine (candidate)"]
    assert [label for label, _ in model_choices(services(None))] == [BASE, "mine (candidate)"]

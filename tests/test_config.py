"""The config file: every shipped YAML validates, unknown keys are named, paths resolve, home is chosen."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.config import (
    DATA_DIR,
    DEMO_CATALOG,
    DEMO_DOCS,
    AssistantConfig,
    ConfigError,
    example_yaml,
    load_config,
    resolve_home,
)

REPO = Path(__file__).resolve().parents[1]


def shipped_assistant_configs() -> list[Path]:
    return [path for path in DATA_DIR.glob("*.yaml")]


def test_every_shipped_assistant_config_validates():
    configs = shipped_assistant_configs()
    assert configs, "data/ should ship at least the example config"
    for path in configs:
        assert isinstance(load_config(path), AssistantConfig)


def test_the_example_config_is_current_with_the_schema():
    assert (DATA_DIR / "config.example.yaml").read_text(encoding="utf-8") == example_yaml(), (
        "regenerate it: python -c \"from assistant.config import example_yaml; "
        "open('data/config.example.yaml','w').write(example_yaml())\""
    )
    config = load_config(DATA_DIR / "config.example.yaml")
    assert config.tools.catalog.path == DEMO_CATALOG


def write(tmp_path: Path, data: dict | str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "data, message",
    [
        ({"generation": {"tempreature": 0.5}}, "generation.tempreature: unknown key"),
        ({"tools": {"catalog": {"url": "x"}}}, "tools.catalog.url: unknown key"),
        ({"colour": "blue"}, "colour: unknown key"),
        ({"generation": {"top_p": 0}}, "generation.top_p"),
        ({"model": {"precision": "int4"}}, "model.precision"),
        ({"model": {"adapter": "no/such/adapter"}}, "model.adapter"),
        ("- a\n- list\n", "top level must be a mapping"),
        ("key: [unclosed", "not valid YAML"),
    ],
)
def test_bad_configs_name_the_key(tmp_path: Path, data, message: str):
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        load_config(write(tmp_path, data))


def test_missing_config_file_is_a_clear_error(tmp_path: Path):
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "absent.yaml")


def test_relative_paths_are_relative_to_the_file(tmp_path: Path):
    (tmp_path / "docs").mkdir()
    config = load_config(write(tmp_path, {"tools": {"retrieval": {"docs": "docs"}}, "home": "state"}))
    assert config.tools.retrieval.docs == tmp_path / "docs"
    assert config.home == tmp_path / "state"


def test_a_config_changes_only_what_it_names_and_the_demo_tools_stay(tmp_path: Path):
    users_only = {"serve": {"users": [{"name": "ann", "role": "admin", "password_hash": "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA=="}]}}
    config = load_config(write(tmp_path, users_only))
    assert config.tools.catalog.path == DEMO_CATALOG and config.tools.retrieval.docs == DEMO_DOCS
    assert config.serve.users[0].name == "ann"
    # null says "none"; another file replaces the demo's
    (tmp_path / "handbook").mkdir()
    config = load_config(write(tmp_path, {"tools": {"catalog": {"path": None}, "retrieval": {"docs": "handbook"}}}))
    assert config.tools.catalog.path is None and config.tools.retrieval.docs == tmp_path / "handbook"
    # an empty section keeps the demo's too
    assert load_config(write(tmp_path, "tools:\n  catalog:\n")).tools.catalog.path == DEMO_CATALOG


def test_the_example_config_copied_elsewhere_still_loads_the_demo(tmp_path: Path):
    copy = tmp_path / "elsewhere" / "config.yaml"
    copy.parent.mkdir()
    copy.write_text((DATA_DIR / "config.example.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    config = load_config(copy)
    assert config.tools.catalog.path == DEMO_CATALOG and config.tools.retrieval.docs == DEMO_DOCS
    assert config == load_config(None)


def test_home_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    config = AssistantConfig(home=tmp_path / "from-config")
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "from-env"))
    assert resolve_home(tmp_path / "from-cli", config) == tmp_path / "from-cli"
    assert resolve_home(None, config) == tmp_path / "from-env"
    monkeypatch.delenv("ASSISTANT_HOME")
    assert resolve_home(None, config) == tmp_path / "from-config"
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_home(None, AssistantConfig()) == tmp_path / ".assistant"
    assert (tmp_path / ".assistant").is_dir()

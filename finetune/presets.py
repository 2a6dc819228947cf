"""Training configs put together in the console: hyperparameters from YAML, the rest from the pickers.

The admin edits only hyperparameters (`lora`, `optim`, `data` limits, `output` cadence, `prompt_tuning`); the
base model, dataset, method, adapter folder, tools and system prompt come from the pickers and the serving
config, so an adapter trained here matches the assistant that will load it. The shipped training YAMLs in
`data/train/` are the presets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assistant.config import DATA_DIR, ConfigError
from finetune.train import TrainConfig, parse_train_config, read_train_yaml
from tools.registry import ToolsConfig

PRESETS_DIR = DATA_DIR / "train"
#: Keys the pickers own; an editor value for them is overridden.
PICKED = {("model", "path"), ("model", "system_prompt"), ("data", "dir"), ("method",), ("output", "dir"),
          ("output", "resume"), ("tools",)}


def presets() -> dict[str, str]:
    """Preset name (the YAML file's stem) -> its hyperparameters as YAML text, picker-owned keys removed and
    relative paths taken relative to the file, as `assistant train` takes them."""
    found = {}
    for path in sorted(PRESETS_DIR.glob("*.yaml")):
        found[path.stem] = hyperparameters_yaml(read_train_yaml(path))  # model.adapter survives the pickers
    return found


def hyperparameters_yaml(raw: dict[str, Any]) -> str:
    """The editable part of a training config mapping, as YAML."""
    kept = {key: value for key, value in raw.items() if (key,) not in PICKED}
    for section, value in list(kept.items()):
        if isinstance(value, dict):
            value = {key: item for key, item in value.items() if (section, key) not in PICKED}
            if value:
                kept[section] = value
            else:
                del kept[section]
    return yaml.safe_dump(kept, sort_keys=False)


def compose_train_config(
    hyperparameters: str,
    *,
    base_model: Path | None,
    dataset: Path,
    method: str,
    output_dir: Path,
    tools: ToolsConfig,
    system_prompt: str,
) -> TrainConfig:
    """The full training config: the editor's YAML with the picked values on top; a ConfigError names any
    problem (bad YAML, an unknown key, a value out of range)."""
    try:
        raw = yaml.safe_load(hyperparameters) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"the hyperparameters are not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError("the hyperparameters must be a mapping of sections (optim:, lora:, ...)")
    for section in ("model", "data", "output"):
        if not isinstance(raw.setdefault(section, {}), dict):
            raise ConfigError(f"{section}: must be a mapping")
    raw["model"].update({"path": str(base_model) if base_model else None, "system_prompt": system_prompt})
    raw["data"]["dir"] = str(dataset)
    raw["method"] = method
    raw["output"].update({"dir": str(output_dir), "resume": False})
    raw["tools"] = tools.model_dump(mode="json")
    return parse_train_config(raw, source="training config")

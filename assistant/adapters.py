"""The adapter registry: every adapter in `<home>/adapters/<name>/`, and which one serves.

The serving pointer `<home>/adapters/serving.json` names the serving adapter and keeps the history of every
promotion and rollback. It is only ever replaced whole (a temporary file, then `os.replace`), so a reader
sees the old pointer or the new one, never half of one; a running server notices the change by the file's
stat and swaps its engine (`Assistant.reload_adapter_if_changed`).

An adapter folder holds what training wrote (`adapter_model.safetensors`, `toolkens.json`,
`train_config.yaml`, `dataset.json`, `metrics.json`) and, when a retrain made it, `lineage.json` (parent,
dataset, config, trigger) and `gate.json` (the gate's decision and why).
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from filelock import FileLock

from assistant.config import DEMO_CATALOG, AssistantConfig

ADAPTERS_DIR = "adapters"
POINTER_FILE = "serving.json"
LINEAGE_FILE = "lineage.json"
GATE_FILE = "gate.json"
METRICS_FILE = "metrics.json"
#: What marks a folder as an adapter (PEFT writes it next to the weights).
ADAPTER_MARKER = "adapter_config.json"
#: Where the product's demo adapter lives (made by data/train/demo-lora.yaml). It serves when it is there,
#: neither the user nor the registry names an adapter, and the model and tools are the ones it was trained for.
DEFAULT_ADAPTER: Path = Path(__file__).resolve().parent.parent / "data" / "adapters" / "demo"

Status = Literal["serving", "candidate", "rejected", "retired"]


class AdapterError(ValueError):
    """An adapter name or registry action that cannot be carried out; the message says why."""


@dataclass(frozen=True)
class AdapterInfo:
    """One adapter of the registry, as listed."""

    name: str
    path: Path
    #: When it was made, ISO 8601 UTC (from lineage.json, else the folder's modification time).
    created: str
    status: Status
    #: Why it is rejected (the gate's reason) or was promoted; "" when nothing was decided.
    reason: str
    #: The adapter's metrics.json ("training", "evaluation", "gate"); {} when it has none.
    metrics: dict[str, Any] = field(default_factory=dict)
    #: lineage.json: parent, dataset_version, dataset_fingerprint, config, trigger; {} for a hand-trained one.
    lineage: dict[str, Any] = field(default_factory=dict)


def choose_adapter(explicit: Path | None, registry: AdapterRegistry, config: AssistantConfig) -> Path | None:
    """The adapter to serve: one the user named (`--adapter`, or `model.adapter` in the config) wins, then
    the registry's serving adapter, then the adapter shipped with the product when it fits `config`
    (None: the base model)."""
    if explicit is not None:
        return Path(explicit)
    serving = registry.serving()
    if serving is not None:
        return serving.path
    return DEFAULT_ADAPTER if shipped_adapter_fits(config) else None


def shipped_adapter_fits(config: AssistantConfig) -> bool:
    """Whether the shipped adapter was trained for this configuration: the embedded model and the demo
    company's tools (calculator, search and the demo catalog). Any other catalog or model starts from the
    base model; its toolkens would not match (the registry check at load time would refuse them)."""
    tools = config.tools
    return (
        (DEFAULT_ADAPTER / ADAPTER_MARKER).is_file()
        and config.model.path is None
        and tools.calculator.enabled
        and tools.retrieval.enabled
        and tools.catalog.path is not None
        and tools.catalog.path.resolve() == DEMO_CATALOG.resolve()
    )


def describe_default(config: AssistantConfig) -> str:
    """What serves when neither the user nor the registry names an adapter, in words."""
    return f"the shipped demo adapter ({DEFAULT_ADAPTER.name})" if shipped_adapter_fits(config) else "the base model"


class AdapterRegistry:
    """The adapters under `<home>/adapters/` and the serving pointer."""

    def __init__(self, home: Path):
        self.root = Path(home) / ADAPTERS_DIR
        self.pointer = self.root / POINTER_FILE
        self._lock = FileLock(str(self.root / f".{POINTER_FILE}.lock"))

    # -- reading ------------------------------------------------------------------------------------------

    def list(self) -> list[AdapterInfo]:
        """Every adapter folder, oldest first."""
        if not self.root.is_dir():
            return []
        pointer = self._read_pointer()
        folders = [p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")
                   and (p / ADAPTER_MARKER).is_file()]
        infos = [self._info(folder, pointer) for folder in folders]
        return sorted(infos, key=lambda info: (info.created, info.name))

    def get(self, name: str) -> AdapterInfo:
        """The adapter called `name`; AdapterError when there is none."""
        folder = self._folder(name)
        return self._info(folder, self._read_pointer())

    def serving(self) -> AdapterInfo | None:
        """The adapter the serving pointer names; None when it names none (or one that is gone)."""
        name = self._read_pointer().get("serving")
        if not name or not (self.root / name / ADAPTER_MARKER).is_file():
            return None
        return self.get(name)

    def history(self) -> list[dict[str, Any]]:
        """Every promotion and rollback, oldest first: {action, name, previous, by, at}."""
        return list(self._read_pointer().get("history", []))

    def pointer_stamp(self) -> tuple[int, int, int] | None:
        """A cheap fingerprint of the pointer file (inode, size, mtime); None when there is none yet."""
        try:
            stat = self.pointer.stat()
        except FileNotFoundError:
            return None
        return stat.st_ino, stat.st_size, stat.st_mtime_ns

    # -- changing what serves -------------------------------------------------------------------------------

    def promote(self, name: str, by: str) -> AdapterInfo:
        """Make `name` the serving adapter; `by` says who or what did it (a user, "retrain (schedule)")."""
        self._folder(name)
        with self._lock:
            pointer = self._read_pointer()
            self._write_pointer(pointer, "promote", name, by)
        return self.get(name)

    def rollback(self, to: str | None = None, by: str = "") -> AdapterInfo | None:
        """Serve again what served before the current adapter was promoted, or `to`, any adapter that has
        served before. None: the default serves again (the pointer names no adapter, so the shipped adapter
        serves where it fits the config, else the base model; `describe_default` says which)."""
        with self._lock:
            pointer = self._read_pointer()
            current = pointer.get("serving")
            history = pointer.get("history", [])
            if to is None:
                if current is None:
                    raise AdapterError("no adapter was promoted: the default serves, nothing to roll back to")
                promotions = [entry for entry in history if entry["action"] == "promote" and entry["name"] == current]
                if not promotions:
                    raise AdapterError(f"{current} was never promoted: nothing to roll back to")
                to = promotions[-1]["previous"]
            elif not any(entry["name"] == to for entry in history):
                raise AdapterError(f"{to} has never served, so it cannot be rolled back to; promote it instead")
            if to == current:
                raise AdapterError(f"{to} is already serving")
            if to is not None:
                self._folder(to)
            self._write_pointer(pointer, "rollback", to, by)
        return None if to is None else self.get(to)

    # -- export -------------------------------------------------------------------------------------------

    def export_zip(self, name: str, dest: Path) -> Path:
        """A zip of the adapter folder (weights, toolkens, config, metrics, lineage, logs), without training
        checkpoints. `dest` is a folder (the file is `<name>.zip` in it) or the zip file's path."""
        folder = self._folder(name)
        dest = Path(dest)
        target = dest / f"{name}.zip" if dest.is_dir() else dest
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        os.close(handle)
        try:
            with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for path in sorted(folder.rglob("*")):
                    relative = path.relative_to(folder)
                    if path.is_file() and relative.parts[0] != "checkpoints":
                        archive.write(path, Path(name) / relative)
            os.replace(temporary, target)
        finally:
            Path(temporary).unlink(missing_ok=True)
        return target

    # -- internals ----------------------------------------------------------------------------------------

    def _folder(self, name: str) -> Path:
        if not name or "/" in name or "\\" in name or name.startswith("."):
            raise AdapterError(f"{name!r} is not an adapter name")
        folder = self.root / name
        if not (folder / ADAPTER_MARKER).is_file():
            known = ", ".join(info.name for info in self.list()) or "none"
            raise AdapterError(f"no adapter {name!r} in {self.root} (known: {known})")
        return folder

    def _info(self, folder: Path, pointer: dict[str, Any]) -> AdapterInfo:
        lineage = _read_json(folder / LINEAGE_FILE)
        gate = _read_json(folder / GATE_FILE)
        served = {entry["name"] for entry in pointer.get("history", [])}
        status: Status
        if pointer.get("serving") == folder.name:
            status = "serving"
        elif gate.get("decision") == "rejected":
            status = "rejected"
        elif folder.name in served:
            status = "retired"
        else:
            status = "candidate"
        created = lineage.get("created") or _iso(folder.stat().st_mtime)
        return AdapterInfo(folder.name, folder, created, status, gate.get("reason", ""),
                           _read_json(folder / METRICS_FILE), lineage)

    def _read_pointer(self) -> dict[str, Any]:
        return _read_json(self.pointer) or {"serving": None, "history": []}

    def _write_pointer(self, pointer: dict[str, Any], action: str, name: str | None, by: str) -> None:
        entry = {"action": action, "name": name, "previous": pointer.get("serving"), "by": by or "unknown",
                 "at": _iso(datetime.now(timezone.utc).timestamp())}
        updated = {"serving": name, "history": [*pointer.get("history", []), entry]}
        write_json_atomic(self.pointer, updated)


def write_json_atomic(path: Path, data: Any) -> None:
    """Replace `path` with `data` as JSON in one step: readers see the old file or the new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="seconds")

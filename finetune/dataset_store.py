"""The datasets an admin trains on: uploads checked row by row, saved folders, previews and feedback exports.

A dataset is a folder with `train.jsonl` and `eval.jsonl` of records (see `finetune.records`) and a
`report.json`, as `assistant build-data` writes it. Uploaded files are JSONL (or a .json list) in Alpaca,
ShareGPT or messages form, or CSV with `instruction,input,output`, `question,answer` or `prompt,response`
columns; every bad row is reported with its line, and nothing is saved until the file has none.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.config import DATA_DIR
from finetune.build_data import read_feedback, write_outputs
from finetune.builders.instructions import (
    detect_format,
    instruction_record,
    majority_format,
)
from finetune.datasets import feedback_records, report, split_and_dedupe
from finetune.records import DatasetFormatError, Record, parse_json_rows, read_jsonl

DATASETS_DIR = "datasets"
SHIPPED_SMOKE = DATA_DIR / "train" / "smoke"
UPLOAD_SUFFIXES = (".jsonl", ".json", ".csv")
_CSV_COLUMNS = (("instruction", "input", "output"), ("question", None, "answer"), ("prompt", None, "response"))
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class RowError:
    """One unusable row: its line in the file (the CSV header is line 1) and what is wrong."""

    line: int | None
    message: str


@dataclass
class UploadCheck:
    """What an uploaded file holds: the records of its good rows and an error per bad row."""

    file: str
    records: list[Record] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    shape: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.records)


@dataclass(frozen=True)
class DatasetInfo:
    """A dataset folder and its sizes."""

    name: str
    path: Path
    train_records: int
    eval_records: int
    fingerprint: str | None
    created_at: float


def check_name(name: str) -> str:
    """`name` when it is usable as a folder name (letters, digits, `_`, `.`, `-`), else a ValueError."""
    if not _NAME.match(name or ""):
        raise ValueError(f"{name!r} is not a usable name: use letters, digits, '_', '.' or '-' (at most 64)")
    return name


def check_upload(file: str, content: bytes, known_tools: set[str] | None = None) -> UploadCheck:
    """Parse and check every row of an uploaded file; `known_tools` also flags calls of unknown tools."""
    check = UploadCheck(file)
    suffix = Path(file).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        check.errors.append(RowError(None, f"a {suffix or 'nameless'} file: upload .jsonl, .json or .csv"))
        return check
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        check.errors.append(RowError(None, f"not UTF-8 text ({exc.reason} at byte {exc.start})"))
        return check
    rows = _csv_rows(text, check) if suffix == ".csv" else _json_rows(text, suffix, check)
    if not rows:
        if not check.errors:
            check.errors.append(RowError(None, "the file has no rows"))
        return check
    check.shape = majority_format(rows)
    if check.shape is None:
        try:
            detect_format(rows, file)  # raises: no row has a known shape; its message says what was found
        except DatasetFormatError as exc:
            check.errors.append(RowError(exc.line, exc.problem))
        return check
    for line, row in rows:
        try:
            record = instruction_record(check.shape, line, row, file)
        except DatasetFormatError as exc:
            check.errors.append(RowError(line, exc.problem))
            continue
        unknown = _unknown_tools(record, known_tools)
        if unknown:
            check.errors.append(RowError(line, f"calls {', '.join(unknown)}, which no configured tool is"))
            continue
        check.records.append(record)
    check.errors.sort(key=lambda error: error.line or 0)  # unreadable JSON was found first: all in file order
    return check


def _json_rows(text: str, suffix: str, check: UploadCheck) -> list[tuple[int, Any]]:
    return parse_json_rows(text, suffix == ".json", lambda line, problem: check.errors.append(RowError(line, problem)))


def _csv_rows(text: str, check: UploadCheck) -> list[tuple[int, Any]]:
    """CSV rows as Alpaca rows, numbered by their line in the file."""
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    columns = next((c for c in _CSV_COLUMNS if c[0] in header and c[2] in header), None)
    if columns is None:
        wanted = " or ".join(",".join(n for n in c if n) for c in _CSV_COLUMNS)
        check.errors.append(RowError(1, f"the header is {','.join(header) or 'empty'}; expected columns {wanted}"))
        return []
    question, extra, answer = columns
    rows = []
    for row in reader:
        fields = {name.strip().lower(): (value or "") for name, value in row.items() if name is not None}
        if not any(value.strip() for value in fields.values()):
            continue
        alpaca = {"instruction": fields.get(question, ""), "output": fields.get(answer, "")}
        if extra:
            alpaca["input"] = fields.get(extra, "")
        rows.append((reader.line_num, alpaca))
    return rows


def _unknown_tools(record: Record, known_tools: set[str] | None) -> list[str]:
    if known_tools is None:
        return []
    names = [call["function"]["name"] for m in record.messages for call in m.get("tool_calls") or []]
    return sorted({name for name in names if name not in known_tools})


def preview_rows(records: list[Record], limit: int = 20) -> list[list[str]]:
    """[source, tool, question, answer] per record, for a preview table."""
    rows = []
    for record in records[:limit]:
        answer = next((m.get("content") or "" for m in reversed(record.messages) if m["role"] == "assistant"), "")
        rows.append([record.source, record.tool or "", _cut(record.user_text, 160), _cut(answer, 160)])
    return rows


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def save_dataset(records: list[Record], folder: Path, *, seed: int = 0, eval_fraction: float = 0.1,
                 origin: dict[str, Any] | None = None) -> DatasetInfo:
    """Split, de-duplicate and write `records` as a dataset folder (refusing to overwrite one)."""
    folder = Path(folder)
    if (folder / "train.jsonl").exists():
        raise FileExistsError(f"a dataset named {folder.name!r} exists already")
    train, evaluation = split_and_dedupe(records, seed, eval_fraction)
    if not train:
        raise ValueError("no records left for training after de-duplication")
    files = write_outputs(folder, train, evaluation)
    from finetune.tokenize import dataset_fingerprint

    summary = {**report(train, evaluation).to_json(), "fingerprint": dataset_fingerprint(folder)["train_sha256"],
               "origin": origin or {}, "created_at": time.time()}
    (folder / "report.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert files["train"].is_file()
    return dataset_info(folder)


def dataset_info(folder: Path, name: str | None = None) -> DatasetInfo:
    """Sizes and fingerprint of a dataset folder."""
    from finetune.tokenize import dataset_fingerprint

    folder = Path(folder)
    fingerprint = dataset_fingerprint(folder)
    return DatasetInfo(
        name=name or folder.name, path=folder, train_records=fingerprint.get("train_records", 0),
        eval_records=fingerprint.get("eval_records", 0), fingerprint=fingerprint.get("train_sha256"),
        created_at=(folder / "train.jsonl").stat().st_mtime,
    )


def list_datasets(home: Path) -> list[DatasetInfo]:
    """Every dataset the console can train on: `<home>/datasets/*`, the builder's default `<home>/data`,
    and the shipped smoke set; newest first, the smoke set last."""
    found = [dataset_info(folder) for folder in sorted((Path(home) / DATASETS_DIR).glob("*"))
             if (folder / "train.jsonl").is_file()]
    default = Path(home) / "data"
    if (default / "train.jsonl").is_file():
        found.append(dataset_info(default, "data (assistant build-data)"))
    found.sort(key=lambda info: info.created_at, reverse=True)
    found.append(dataset_info(SHIPPED_SMOKE, "smoke (shipped, 8 records)"))
    return found


def read_dataset(folder: Path, split: str = "train") -> list[Record]:
    """The records of one split of a dataset folder."""
    return read_jsonl(Path(folder) / f"{split}.jsonl")


def feedback_dataset_records(database: Path, turn_ids: set[int] | None = None) -> list[Record]:
    """Training records from the rated turns of a conversation log (only `turn_ids`, when given): rated-up
    turns as they happened, corrected turns with the suggested answer."""
    turns = read_feedback(database)
    if turn_ids is not None:
        turns = [turn for turn in turns if turn.turn_id in turn_ids]
    return feedback_records(turns)

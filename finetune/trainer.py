"""TRL's SFTTrainer set up for toolken training: pre-tokenised data, packing, the toolken learning rate,
lean checkpoints, TensorBoard, and a count of the tokens the training steps process.
"""

from __future__ import annotations

import inspect
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from transformers import Trainer, TrainerCallback
from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR
from trl import SFTConfig, SFTTrainer

from assistant.toolkens import ToolkenRegistry
from finetune.progress import PROGRESS_FILE, ProgressLog
from finetune.tokenize import TokenizedSplit

if TYPE_CHECKING:
    from datasets import Dataset
    from peft import PeftConfig
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

    from finetune.train import TrainConfig

TOOLKEN_PARAMETER = "trainable_tokens_delta"  # PEFT's name for the trained toolken rows
#: Why `auto` does not pick QLoRA on CPU. Speed is not the reason: bench/train_throughput.py measured QLoRA
#: no slower than LoRA here (216 vs 157 tokens/s, bitsandbytes 0.50 CPU path, SmolLM2-135M).
CPU_QLORA_REASON = (
    "QLoRA on CPU saves memory a CPU machine does not lack for this model, and it trains the adapter against "
    "4-bit weights while CPU serving uses fp32 ones; using LoRA"
)


@dataclass(frozen=True)
class MethodChoice:
    """The method training uses and why."""

    method: str
    reason: str


def choose_method(requested: str, device: torch.device) -> MethodChoice:
    """Resolve `auto` (QLoRA on CUDA, LoRA on CPU) and say why; other methods are taken as asked."""
    if requested == "auto":
        if device.type == "cuda":
            return MethodChoice("qlora", "auto on CUDA: 4-bit NF4 base + LoRA (QLoRA) fits the most model per GiB")
        return MethodChoice("lora", f"auto on CPU: {CPU_QLORA_REASON}")
    if requested == "qlora" and device.type != "cuda":
        return MethodChoice("qlora", "qlora as configured, on CPU: serve the adapter at model.precision nf4 to match")
    return MethodChoice(requested, f"{requested} as configured")


def toolken_training(method: str, tied: bool) -> str:
    """How `method` trains the toolken embedding rows (printed with the method)."""
    if method in ("lora", "qlora"):
        if tied:
            return ("toolken rows train through PEFT trainable_token_indices on the input embedding; the output "
                    "projection is tied to it, so the same rows score the toolkens")
        return "toolken rows train through PEFT trainable_token_indices, in the input embedding and the output projection"
    if method == "full":
        return "every weight trains, the toolken rows included"
    return (f"peft's {method} config has no trainable_token_indices: the toolken rows keep their "
            "description-mean initialisation, which loading the adapter reproduces")


def to_dataset(split: TokenizedSplit) -> Dataset:
    """A `datasets.Dataset` TRL takes as already processed: `input_ids` and `labels` (-100: no loss).

    TRL 1.16 recognises a dataset with an `input_ids` column as tokenised and uses a `labels` column as it
    is, so nothing is re-tokenised or re-masked; it only packs (or truncates, a no-op here: every example
    already fits max_seq_len).
    """
    from datasets import Dataset

    return Dataset.from_dict(
        {"input_ids": [e.input_ids for e in split.examples], "labels": [e.labels for e in split.examples]}
    )


def uses_packing(config: TrainConfig, method: str) -> bool:
    """Packing, unless asked not to or prompt-tuning (its virtual tokens go in front of every row)."""
    return config.data.packing and method != "prompt-tuning"


def sft_config(config: TrainConfig, method: str, device: torch.device, checkpoints: Path) -> SFTConfig:
    """The SFTTrainer arguments for `config`."""
    optim = config.optim
    packing = uses_packing(config, method)
    cuda = device.type == "cuda"
    return SFTConfig(
        output_dir=str(checkpoints),
        # data: pre-tokenised rows; with packing, TRL's best-fit decreasing packs whole conversations into
        # rows of max_length and trains padding-free (position ids restart per conversation, which
        # transformers turns into a block-diagonal attention mask); without it, batches are padded and
        # grouped by length so little of each batch is padding.
        max_length=config.data.max_seq_len,
        packing=packing,
        packing_strategy="bfd",
        train_sampling_strategy="random" if packing else "group_by_length",
        # schedule
        num_train_epochs=optim.epochs,
        max_steps=optim.max_steps or -1,
        per_device_train_batch_size=optim.batch_size,
        per_device_eval_batch_size=optim.batch_size,
        gradient_accumulation_steps=optim.grad_accum,
        learning_rate=optim.learning_rate,
        weight_decay=optim.weight_decay,
        lr_scheduler_type=optim.lr_scheduler,
        warmup_steps=optim.warmup_ratio,  # a float below 1 is a share of the steps
        optim="paged_adamw_8bit" if method == "qlora" and cuda else "adamw_torch",
        gradient_checkpointing=optim.gradient_checkpointing,
        seed=optim.seed,
        # precision: bf16 autocast on CUDA; plain fp32 on CPU, where bf16 autocast is slower
        bf16=cuda and torch.cuda.is_bf16_supported(),
        use_cpu=not cuda,
        # progress, logs, checkpoints
        logging_steps=config.output.logging_steps,
        save_strategy="steps",
        save_steps=config.output.save_steps,
        save_total_limit=config.output.save_total_limit,
        eval_strategy="no",  # evaluated before and after training instead
        report_to="none",  # TensorBoard is attached explicitly, to log into <output>/tensorboard
        disable_tqdm=False,  # keep the progress bar even when the CLI turns library logging down
    )


def ties_embeddings(model: PreTrainedModel) -> bool:
    """Whether the output projection is the input embedding matrix itself (SmolLM2: yes)."""
    output = model.get_output_embeddings()
    return output is not None and output.weight.data_ptr() == model.get_input_embeddings().weight.data_ptr()


def toolken_indices(model: PreTrainedModel, registry: ToolkenRegistry) -> dict[str, list[int]]:
    """PEFT's `trainable_token_indices`: the toolken rows of the input embedding, and of the output
    projection when it is a matrix of its own. A tied output projection is left to PEFT, which wraps it
    around the same trained rows."""
    names = {module: name.rsplit(".", 1)[-1] for name, module in model.named_modules()}
    indices = {names[model.get_input_embeddings()]: registry.token_ids}
    if not ties_embeddings(model):
        indices[names[model.get_output_embeddings()]] = registry.token_ids
    return indices


def peft_config(
    config: TrainConfig, method: str, registry: ToolkenRegistry, model: PreTrainedModel
) -> PeftConfig | None:
    """The PEFT config of `method` for `model` (None for full fine-tuning)."""
    from peft import IA3Config, LoraConfig, PromptTuningConfig, PromptTuningInit

    if method in ("lora", "qlora"):
        return LoraConfig(
            task_type="CAUSAL_LM",
            r=config.lora.r,
            lora_alpha=config.lora.alpha,
            lora_dropout=config.lora.dropout,
            target_modules=list(config.lora.target_modules),
            trainable_token_indices=toolken_indices(model, registry),
        )
    if method == "ia3":
        return IA3Config(task_type="CAUSAL_LM")
    if method == "prompt-tuning":
        return PromptTuningConfig(
            task_type="CAUSAL_LM",
            num_virtual_tokens=config.prompt_tuning.num_virtual_tokens,
            prompt_tuning_init=PromptTuningInit.RANDOM,
        )
    return None


class ToolkenSFTTrainer(SFTTrainer):
    """SFTTrainer with four changes for toolken adapters.

    - The toolken rows get their own optimizer group: their own learning rate, and no weight decay (the
      rows are the embeddings themselves, not deltas, so decay would pull them to zero).
    - Checkpoints of PEFT models save the adapter only. PEFT would otherwise save the whole resized
      embedding matrix, since the vocabulary grew by the toolkens.
    - `train_tokens` counts the non-pad tokens the training steps process, for tokens/s.
    - `fused_lm_head=False` (CPU) leaves TRL's chunked LM head out: it saves memory on GPUs, but on CPU it
      made a forward+backward ~1.7x slower (8.7 s vs 5.1 s for 980 packed tokens of SmolLM2-135M). Training
      steps then project only the learned positions onto the vocabulary (`learned_positions_loss`): about a
      quarter of the tokens, so the 49k-wide logits, their softmax and their gradient shrink by 4x. The
      loss is the same number the model's own loss over full logits gives; evaluation still uses that one.
    """

    def __init__(
        self, *args: Any, toolken_learning_rate: float | None = None, fused_lm_head: bool = True, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.toolken_learning_rate = toolken_learning_rate
        self.fused_lm_head = fused_lm_head
        self.train_tokens = 0

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        if self.fused_lm_head:
            return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
        # TRL's entropy and token-accuracy metrics are not logged on this path.
        if model.training and not return_outputs and takes_position_mask(model):
            total = num_items_in_batch if self.model_accepts_loss_kwargs else None
            return learned_positions_loss(model, inputs, total)
        return Trainer.compute_loss(self, model, inputs, return_outputs, num_items_in_batch)

    def training_step(self, model, inputs, num_items_in_batch=None):
        mask = inputs.get("attention_mask")
        self.train_tokens += int(mask.sum()) if mask is not None else int(inputs["input_ids"].numel())
        return super().training_step(model, inputs, num_items_in_batch)

    def create_optimizer(self, model=None):
        if self.optimizer is not None:
            return self.optimizer
        opt_model = self.model if model is None else model
        named = [(name, p) for name, p in opt_model.named_parameters() if p.requires_grad]
        toolken = [p for name, p in named if TOOLKEN_PARAMETER in name]
        if not toolken:
            return super().create_optimizer(model)
        decay = set(self.get_decay_parameter_names(opt_model))
        rest = [(name, p) for name, p in named if TOOLKEN_PARAMETER not in name]
        groups = [
            {"params": [p for name, p in rest if name in decay], "weight_decay": self.args.weight_decay},
            {"params": [p for name, p in rest if name not in decay], "weight_decay": 0.0},
            {"params": toolken, "weight_decay": 0.0, "lr": self.toolken_learning_rate or self.args.learning_rate},
        ]
        optimizer_cls, optimizer_kwargs = self.get_optimizer_cls_and_kwargs(self.args, opt_model)
        self.optimizer = optimizer_cls([g for g in groups if g["params"]], **optimizer_kwargs)
        return self.optimizer

    def _save(self, output_dir: str | None = None, state_dict: dict | None = None) -> None:
        from peft import PeftModel

        if not isinstance(self.model, PeftModel):
            super()._save(output_dir, state_dict)
            return
        output_dir = output_dir or self.args.output_dir
        os.makedirs(output_dir, exist_ok=True)
        self.model.save_pretrained(output_dir, state_dict=state_dict, save_embedding_layers=False)


def learned_positions_loss(
    model: torch.nn.Module, inputs: dict[str, torch.Tensor], num_items_in_batch: torch.Tensor | int | None
) -> torch.Tensor:
    """Next-token cross-entropy over the learned positions only, computing logits for those alone.

    Position t is learned when the label of t+1 is not -100 (the same shift the model's own loss makes).
    transformers' `logits_to_keep` takes the boolean (batch, sequence) mask and returns the kept rows'
    logits flattened. Summed and divided by `num_items_in_batch` when the trainer gives it (the count over
    the whole accumulated batch, as the model's loss does), else averaged.
    """
    labels = inputs["labels"]
    targets = torch.nn.functional.pad(labels[:, 1:], (0, 1), value=-100)
    keep = targets != -100
    body = {name: value for name, value in inputs.items() if name != "labels"}
    logits = model(**body, logits_to_keep=keep, use_cache=False).logits
    if logits.shape[:-1] != (int(keep.sum()),):
        raise RuntimeError(f"the model ignored the logits_to_keep mask (logits of shape {tuple(logits.shape)})")
    loss = torch.nn.functional.cross_entropy(logits.float(), targets[keep], reduction="sum")
    if num_items_in_batch is None:
        return loss / keep.sum().clamp(min=1)
    return loss / num_items_in_batch


def takes_position_mask(model: torch.nn.Module) -> bool:
    """Whether the (unwrapped) model's forward slices its logits with `logits_to_keep`, and no virtual
    tokens get in front of the sequence (prompt tuning), which would shift the mask."""
    from peft import PeftModel

    if isinstance(model, PeftModel):
        if model.peft_config[model.active_adapter].is_prompt_learning:
            return False
        model = model.get_base_model()
    return "logits_to_keep" in inspect.signature(model.forward).parameters


def build_trainer(
    config: TrainConfig,
    method: str,
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    registry: ToolkenRegistry,
    train_split: TokenizedSplit,
    eval_split: TokenizedSplit | None,
    device: torch.device,
) -> ToolkenSFTTrainer:
    """The trainer for one run; TRL wraps `model` with the method's PEFT config."""
    out = Path(config.output.dir)
    trainer = ToolkenSFTTrainer(
        model=model,
        args=sft_config(config, method, device, out / "checkpoints"),
        train_dataset=to_dataset(train_split),
        eval_dataset=to_dataset(eval_split) if eval_split is not None else None,
        processing_class=tokenizer,
        peft_config=None if _is_peft(model) else peft_config(config, method, registry, model),
        callbacks=[
            _tensorboard(out / "tensorboard"), ProgressLog(out / PROGRESS_FILE), RegistryInCheckpoints(registry)
        ],
        toolken_learning_rate=config.optim.toolken_learning_rate,
        fused_lm_head=device.type == "cuda",
    )
    _expose_head_bias(trainer.model)
    return trainer


class RegistryInCheckpoints(TrainerCallback):
    """Save the toolken registry beside each checkpoint's weights, so a checkpoint is an adapter that
    `assistant chat`/`eval --adapter` and the toolken probe load as they are (mid-run comparisons)."""

    def __init__(self, registry: ToolkenRegistry):
        self.registry = registry

    def on_save(self, args, state, control, **kwargs):
        checkpoint = Path(args.output_dir) / f"{PREFIX_CHECKPOINT_DIR}-{state.global_step}"
        if state.is_world_process_zero and checkpoint.is_dir():
            self.registry.save(checkpoint)


def _is_peft(model: torch.nn.Module) -> bool:
    """Whether `model` already carries its adapter (a continued one), so no new one is wrapped around it."""
    from peft import PeftModel

    return isinstance(model, PeftModel)


def _tensorboard(folder: Path):
    """transformers' TensorBoard callback, writing into `folder` (its default is output_dir/runs/<date>)."""
    from transformers.integrations import TensorBoardCallback

    callback = TensorBoardCallback()
    callback.logging_dir = str(folder)  # read when the writer opens, also when it reopens after training
    return callback


def _expose_head_bias(model: torch.nn.Module) -> None:
    """Let TRL's fused LM head read `lm_head.bias` through PEFT's TrainableTokensWrapper.

    The fused head computes log-probabilities from `lm_head.weight` and `lm_head.bias`. With toolkens on a
    tied head, `lm_head` is a TrainableTokensWrapper, which forwards `weight` (the base matrix with the
    trained toolken rows copied in, so gradients reach them) but not `bias`. The bias is the base head's
    own (None for Llama-style heads); it is set as a plain attribute so no parameter is registered twice.
    """
    from peft.utils.other import TrainableTokensWrapper

    head = model.get_output_embeddings()
    if isinstance(head, TrainableTokensWrapper) and "bias" not in vars(head):
        object.__setattr__(head, "bias", getattr(head.original_module, "bias", None))

"""Training throughput: our trainer (TRL SFTTrainer + toolkens) vs a plain PEFT loop, and QLoRA vs LoRA.

Run: python bench/train_throughput.py [--steps 5] [--data data/train/smoke] [--batch-size 2]
                                      [--max-seq-len 512] [--padded-batch-size 8] [--no-qlora]
                                      [--no-padded] [--catalog CATALOG] [--home DIR]

All runs train the embedded SmolLM2-135M-Instruct with toolkens for the demo tools (or, with --catalog, for
the calculator, search and that catalog's operations: the tools the --data folder was built for). "trainer" is
`finetune.train.prepare_run` + `trainer.train()` exactly as `assistant train` runs it (LoRA, packed). "plain
PEFT" is a hand-written torch loop (AdamW, the model's own loss) over the batches the trainer's data loader
makes, with the same LoRA config and toolken rows. "padded" is the trainer without packing (each batch
padded to its longest conversation, batches grouped by length; --padded-batch-size conversations a step,
8 by default: as many tokens as 2 packed rows of the smoke data). "qlora" is the trainer again with a 4-bit NF4 base.
Tokens/s counts the non-pad tokens of the steps divided by the time of those steps, leaving out each
run's first step (one-off allocation and set-up). Other processes on the
machine change the absolute figures, so compare the rows of one run.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch
from transformers import TrainerCallback

from assistant.config import REPO_ROOT
from finetune.train import TrainConfig, prepare_run

SMOKE_DATA = REPO_ROOT / "data" / "train" / "smoke"


def config_for(method: str, args: argparse.Namespace, out: Path, packing: bool = True) -> TrainConfig:
    catalog = {"tools": {"catalog": {"path": str(args.catalog.resolve())}}} if args.catalog else {}
    return TrainConfig.model_validate({
        **catalog,
        "data": {"dir": args.data, "max_seq_len": args.max_seq_len, "max_eval_records": 1, "packing": packing},
        "method": method,
        "optim": {"max_steps": args.steps, "batch_size": args.batch_size if packing else args.padded_batch_size,
                  "warmup_ratio": 0.0},
        "output": {"dir": out, "save_steps": 10**6, "logging_steps": 10**6},
    })


class StepClock(TrainerCallback):
    """Times each optimizer step of a trainer and the tokens it processed."""

    def __init__(self, trainer) -> None:
        self.trainer = trainer
        self.steps: list[tuple[float, int]] = []  # (seconds, tokens) per step

    def on_step_begin(self, args, state, control, **kwargs) -> None:
        self.started, self.tokens = time.perf_counter(), self.trainer.train_tokens

    def on_step_end(self, args, state, control, **kwargs) -> None:
        self.steps.append((time.perf_counter() - self.started, self.trainer.train_tokens - self.tokens))


def speed(steps: list[tuple[float, int]]) -> float:
    """Tokens/s over the steps after the first (which pays one-off allocation and set-up)."""
    timed = steps[1:] or steps
    return sum(tokens for _, tokens in timed) / sum(seconds for seconds, _ in timed)


def trainer_speed(
    method: str, args: argparse.Namespace, scratch: Path, packing: bool = True
) -> tuple[float, list[dict]]:
    """Tokens/s of `assistant train`'s trainer, and the batches its data loader makes."""
    out = scratch / f"{method}-{'packed' if packing else 'padded'}"
    run = prepare_run(config_for(method, args, out, packing), args.home)
    batches = [batch for batch, _ in zip(run.trainer.get_train_dataloader(), range(args.steps))]
    clock = StepClock(run.trainer)
    run.trainer.add_callback(clock)
    run.trainer.train()
    return speed(clock.steps), batches


def plain_peft_speed(args: argparse.Namespace, batches: list[dict], scratch: Path) -> float:
    """Tokens/s of a hand-written loop: same base, toolkens, LoRA config and batches; no Trainer, no TRL."""
    from peft import get_peft_model

    from assistant.model import load_base, model_folder
    from assistant.toolkens import add_toolkens
    from finetune.trainer import peft_config
    from tools.registry import build_tools

    config = config_for("lora", args, scratch / "plain")
    model, tokenizer = load_base(model_folder(None, args.home / "models"), "fp32", torch.device("cpu"))
    registry = add_toolkens(model, tokenizer, build_tools(config.tools, args.home))
    model = get_peft_model(model, peft_config(config, "lora", registry, model))
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=config.optim.learning_rate)
    model.train()
    steps = []
    for batch in batches:
        started = time.perf_counter()
        loss = model(**batch).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        mask = batch.get("attention_mask")
        tokens = int(mask.sum()) if mask is not None else batch["input_ids"].numel()
        steps.append((time.perf_counter() - started, tokens))
    return speed(steps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5, help="optimizer steps per run (the first is not timed)")
    parser.add_argument("--data", type=Path, default=SMOKE_DATA, help="dataset folder with train.jsonl")
    parser.add_argument("--batch-size", type=int, default=2, help="packed rows per step")
    parser.add_argument("--max-seq-len", type=int, default=512, help="packed row length")
    parser.add_argument("--no-qlora", action="store_true", help="skip the QLoRA run")
    parser.add_argument("--padded-batch-size", type=int, default=8, help="conversations per padded step")
    parser.add_argument("--no-padded", action="store_true", help="skip the padded (unpacked) trainer run")
    parser.add_argument("--catalog", type=Path, help="the OpenAPI catalog --data was built from (default: the demo's)")
    parser.add_argument("--home", type=Path, default=Path(os.environ.get("ASSISTANT_HOME", Path.home() / ".assistant")))
    args = parser.parse_args()
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory(prefix="train-bench-") as scratch:
        rows = []
        lora, batches = trainer_speed("lora", args, Path(scratch))
        rows.append(("trainer, lora (TRL SFTTrainer, packed)", lora))
        rows.append(("plain PEFT loop, lora, same batches", plain_peft_speed(args, batches, Path(scratch))))
        if not args.no_padded:
            padded = trainer_speed("lora", args, Path(scratch), packing=False)[0]
            rows.append(("trainer, lora, padded, grouped by length", padded))
        if not args.no_qlora:
            rows.append(("trainer, qlora (4-bit NF4 base)", trainer_speed("qlora", args, Path(scratch))[0]))
    print(f"\n{args.steps} steps x {args.batch_size} packed rows of <= {args.max_seq_len} tokens, "
          f"{torch.get_num_threads()} threads, {torch.__version__}")
    for name, speed in rows:
        print(f"  {name:42s} {speed:8.1f} tokens/s   {speed / lora:5.2f}x trainer")


if __name__ == "__main__":
    main()

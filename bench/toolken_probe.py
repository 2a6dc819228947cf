"""How well a model's toolken rows have learned, teacher-forced on dataset records: one forward per record.

Run: python bench/toolken_probe.py [--adapter DIR | --model PATH] [--data FILE] [--catalog F --docs D] [--limit N]

For each record that calls a tool, at the position of its first toolken (the conversation before it given):
- p(gold): the probability of the right toolken;
- p(any): the probability of any toolken, i.e. of calling at all;
- gold-first: whether the right toolken ranks first among the toolkens (which tool, given a call).
For each record that calls no tool, p(any) at the first position of its reply: the pull towards a false call.
With --biases, what greedy decoding picks at those positions when a bias is added to every toolken's logit
(`generation.toolken_bias`): the share of tool records whose pick is the gold toolken, and the share of
no-call records whose pick is a toolken. A first-position estimate: generation may still call later on.

`assistant eval` measures what generation does; this measures the cause underneath in seconds, so a change
to the toolken rows (initialisation, learning rate, steps) can be compared on checkpoints as they appear.
Records default to the eval split build-data wrote; the tools default to the demo's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
from pathlib import Path
from typing import NamedTuple

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch

from assistant.chat_format import ChatFormat, to_toolken_messages
from assistant.config import default_config
from assistant.model import load_model
from finetune.tokenize import end_of_turn_id, tokenize_conversation
from tools.registry import build_tools


class Pick(NamedTuple):
    """The logits that decide greedy decoding's pick at one record's call position."""

    calls: bool  # whether the record calls a tool there
    best_other: float  # the highest logit of a token that is not a toolken
    toolken_logits: torch.Tensor  # (toolkens,)
    gold: int | None  # the index of the record's toolken among the toolkens; None for a no-call record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--adapter", type=Path, help="a trained adapter folder (or a checkpoint in one)")
    parser.add_argument("--model", type=Path, help="a base model folder or GGUF file (default: the embedded one)")
    parser.add_argument("--data", type=Path, default=Path.home() / ".assistant" / "data" / "eval.jsonl")
    parser.add_argument("--catalog", type=Path, help="the OpenAPI catalog the adapter was trained on")
    parser.add_argument("--docs", type=Path, help="its documents folder")
    parser.add_argument("--limit", type=int, default=80, help="records of each kind (tool call, no call)")
    parser.add_argument("--biases", type=float, nargs="*", default=[], metavar="B",
                        help="toolken biases to estimate greedy picks under, e.g. --biases -2 -1 0 1")
    args = parser.parse_args()

    config = default_config()
    if args.catalog:
        config.tools.catalog.path = args.catalog
    if args.docs:
        config.tools.retrieval.docs = args.docs
    with tempfile.TemporaryDirectory() as state:
        tools = build_tools(config.tools, Path(state))
        model_config = config.model.model_copy(update={"adapter": args.adapter, "path": args.model})
        loaded = load_model(model_config, tools, Path.home() / ".assistant" / "models")
    chat = ChatFormat(loaded.tokenizer)
    toolken_ids = list(loaded.registry.token_ids)
    schemas = {tool.name: tool.parameters for tool in tools}

    gold, called, first, false_call = [], [], [], []
    picks: list[Pick] = []
    with args.data.open() as lines:
        for line in lines:
            record = json.loads(line)
            calls = bool(record.get("tool"))
            if len(gold if calls else false_call) >= args.limit:
                continue
            messages = to_toolken_messages(record["messages"], schemas)
            ids, learned = tokenize_conversation(chat, messages, config.system_prompt, end_of_turn_id(chat))
            if calls:
                position = next(i for i, token in enumerate(ids) if token in toolken_ids)
            else:
                position = learned.index(True)
            with torch.no_grad():
                logits = loaded.model(torch.tensor([ids[:position]])).logits[0, -1].float()
            probabilities = logits.softmax(-1)
            over_toolkens = probabilities[toolken_ids]
            others = logits.clone()
            others[toolken_ids] = float("-inf")
            picks.append(Pick(calls, float(others.max()), logits[toolken_ids],
                              toolken_ids.index(ids[position]) if calls else None))
            if calls:
                gold.append(float(probabilities[ids[position]]))
                called.append(float(over_toolkens.sum()))
                first.append(toolken_ids[int(over_toolkens.argmax())] == ids[position])
            else:
                false_call.append(float(over_toolkens.sum()))

    name = args.adapter or args.model or "embedded base model"
    print(f"{name} on {args.data}")
    if gold:
        print(f"  tool records ({len(gold)}): p(gold) mean {statistics.mean(gold):.3f} median "
              f"{statistics.median(gold):.3f}; p(any toolken) mean {statistics.mean(called):.3f}; "
              f"gold ranks first among toolkens {sum(first) / len(first):.3f}")
    if false_call:
        print(f"  no-call records ({len(false_call)}): p(any toolken) mean {statistics.mean(false_call):.3f}, "
              f"max {max(false_call):.3f}, over 0.5 in {sum(p > 0.5 for p in false_call)}")
    for bias in args.biases:
        right, false = _greedy_picks(picks, bias)
        print(f"  toolken bias {bias:+g}: greedy pick is the gold toolken on {right} tool records, "
              f"a toolken on {false} no-call records")


def _greedy_picks(picks: list[Pick], bias: float) -> tuple[str, str]:
    """Shares of tool records whose greedy pick under `bias` is the gold toolken, of no-call ones picking any."""
    right = false = tools = no_call = 0
    for calls, best_other, toolken_logits, gold in picks:
        shifted = toolken_logits + bias
        picks_toolken = float(shifted.max()) > best_other
        if calls:
            tools += 1
            right += picks_toolken and int(shifted.argmax()) == gold
        else:
            no_call += 1
            false += picks_toolken
    return (f"{right / tools:.3f}" if tools else "-"), (f"{false / no_call:.3f}" if no_call else "-")


if __name__ == "__main__":
    main()

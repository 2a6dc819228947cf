"""How well a model's toolken rows have learned, teacher-forced on dataset records: one forward per record.

Run: python bench/toolken_probe.py [--adapter DIR | --model PATH] [--data FILE] [--catalog F --docs D] [--limit N]

For each record that calls a tool, at the position of its first toolken (the conversation before it given):
- p(gold): the probability of the right toolken;
- p(any): the probability of any toolken, i.e. of calling at all;
- gold-first: whether the right toolken ranks first among the toolkens (which tool, given a call).
For each record that calls no tool, p(any) at the first position of its reply: the pull towards a false call.

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

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch

from assistant.chat_format import ChatFormat, to_toolken_messages
from assistant.config import default_config
from assistant.model import load_model
from finetune.tokenize import end_of_turn_id, tokenize_conversation
from tools.registry import build_tools


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--adapter", type=Path, help="a trained adapter folder (or a checkpoint in one)")
    parser.add_argument("--model", type=Path, help="a base model folder or GGUF file (default: the embedded one)")
    parser.add_argument("--data", type=Path, default=Path.home() / ".assistant" / "data" / "eval.jsonl")
    parser.add_argument("--catalog", type=Path, help="the OpenAPI catalog the adapter was trained on")
    parser.add_argument("--docs", type=Path, help="its documents folder")
    parser.add_argument("--limit", type=int, default=80, help="records of each kind (tool call, no call)")
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
                probabilities = loaded.model(torch.tensor([ids[:position]])).logits[0, -1].float().softmax(-1)
            over_toolkens = probabilities[toolken_ids]
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


if __name__ == "__main__":
    main()

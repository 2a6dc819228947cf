"""Do the torch and llama_cpp backends choose the same calls? One greedy turn per test question on each.

Run:
  python bench/backend_equivalence.py                  # every question of the demo test set, the served GGUF
  python bench/backend_equivalence.py --quant q8_0     # the 8-bit file
  python bench/backend_equivalence.py --limit 20       # the first 20 questions only (a quick look)
  python bench/backend_equivalence.py --layout single  # a context of one sequence, as `assistant ask` makes

Both backends serve the same loaded model (the config's, with the adapter it serves: by default the embedded
model and the shipped demo adapter); llama.cpp runs it as the served GGUF at --quant (default: the config's
`model.gguf_quant`), by default on a sequence of a context laid out as the web app serves them. Every question
of the hand-written demo test set (data/demo/test/: tools, then calculator, then handbook questions) is one fresh
dry-run turn with the manifest's date as today; no API call is sent and no tool runs, since a turn is read only
up to its first call. Compared: the first call's tool and arguments, or that there was none. Prints the
agreement rate (the issue's target: >= 98% at Q8_0) and every disagreement.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.adapters import AdapterRegistry, choose_adapter
from assistant.chat_format import ChatFormat
from assistant.config import AssistantConfig, load_config, resolve_home
from assistant.decoding import CausalLMDecoder, Decoder
from assistant.engine import Engine
from assistant.events import FinalAnswer, ToolCall, ToolOutcome
from assistant.llama_backend import llama_cpp_decoders
from assistant.model import LoadedModel, load_model
from assistant.runtime import serving_decoders
from finetune.evaluate import load_test_set
from tools.base import Tool
from tools.registry import build_tools

#: What a turn's first call was: (tool, arguments), ("abandoned " + tool, error) or None for no call.
FirstCall = tuple[str, Any] | None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quant", choices=["q8_0", "f16", "f32"], help="the GGUF's weights (default: the config's)")
    parser.add_argument("--limit", type=int, help="only the first N questions")
    parser.add_argument("--config", type=Path, help="assistant config YAML (default: the embedded defaults)")
    parser.add_argument("--adapter", type=Path, help="adapter folder (default: what the config serves)")
    parser.add_argument("--home", type=Path, help="state directory (default: a fresh one under /tmp)")
    parser.add_argument("--layout", choices=["served", "single"], default="served",
                        help="served: a sequence of a context laid out as the web app's pool lays them out (several "
                             "sequences, no fused attention); single: a context of one sequence, as `assistant ask` "
                             "and `assistant chat` make (fused attention)")
    args = parser.parse_args(argv)

    config = load_config(args.config)
    home = resolve_home(args.home or Path(tempfile.mkdtemp(prefix="backend-equivalence-")), config)
    sets, today = load_test_set("demo")
    questions = [item.q for item in [*sets.tools, *sets.calc, *sets.docs]][: args.limit]
    tools = build_tools(config.tools, home)
    adapter = choose_adapter(args.adapter, AdapterRegistry(home), config)
    quant = args.quant or config.model.gguf_quant
    model_config = config.model.model_copy(
        update={"adapter": adapter, "device": "cpu", "backend": "llama_cpp", "gguf_quant": quant}
    )
    loaded = load_model(model_config, tools, home / "models")
    if args.layout == "served":
        llama_decoder = serving_decoders(loaded, model_config, home / "models")[0]()
    else:
        llama_decoder = llama_cpp_decoders(loaded, model_config, home / "models")()
    engines = {
        "torch": _engine(CausalLMDecoder(loaded.model), loaded, tools, config),
        "llama_cpp": _engine(llama_decoder, loaded, tools, config),
    }
    print(f"backends: torch ({loaded.precision}) vs llama_cpp ({quant})   model: {loaded.source.name}   "
          f"adapter: {adapter or 'none'}   layout: {args.layout}   questions: {len(questions)}", flush=True)
    seconds = dict.fromkeys(engines, 0.0)
    disagreements = []
    for index, question in enumerate(questions, 1):
        calls = {}
        for name, engine in engines.items():
            started = time.perf_counter()
            calls[name] = first_call(engine, question, today)
            seconds[name] += time.perf_counter() - started
        agree = calls["torch"] == calls["llama_cpp"]
        if not agree:
            disagreements.append((question, calls["torch"], calls["llama_cpp"]))
        print(f"  {index}/{len(questions)} {'same' if agree else 'DIFFERENT'}: {_describe(calls['torch'])}",
              file=sys.stderr, flush=True)
    llama_decoder.close()
    print(report(len(questions), disagreements, seconds))
    return 0


def _engine(decoder: Decoder, loaded: LoadedModel, tools: list[Tool], config: AssistantConfig) -> Engine:
    return Engine(decoder, ChatFormat(loaded.tokenizer), loaded.registry, tools, config.generation,
                  config.system_prompt, config.model.max_context_tokens)


def first_call(engine: Engine, question: str, today: date) -> FirstCall:
    """The first call of one fresh dry-run turn answering `question`; the turn is closed right there."""
    turn = engine.run_turn([{"role": "user", "content": question}], dry_run=True, today=today)
    try:
        for event in turn:
            if isinstance(event, ToolCall):
                return event.tool, event.arguments
            if isinstance(event, ToolOutcome):  # abandoned while writing its arguments: no ToolCall came first
                return f"abandoned {event.tool}", event.error
            if isinstance(event, FinalAnswer):
                return None
    finally:
        turn.close()
    raise RuntimeError("the engine's turn ended without a FinalAnswer")


def report(count: int, disagreements: list[tuple[str, FirstCall, FirstCall]], seconds: dict[str, float]) -> str:
    """The agreement rate, each disagreement, and the time each backend took."""
    agreed = count - len(disagreements)
    lines = [f"agreement: {agreed}/{count} = {agreed / count:.1%} (target >= 98% at q8_0)" if count else
             "agreement: no questions"]
    for question, torch_call, llama_call in disagreements:
        lines += [f"  {question!r}", f"      torch:     {_describe(torch_call)}",
                  f"      llama_cpp: {_describe(llama_call)}"]
    lines.append("time to the first call or the end: " + ", ".join(f"{k} {v:.0f} s" for k, v in seconds.items()))
    return "\n".join(lines)


def _describe(call: FirstCall) -> str:
    return "no call" if call is None else f"{call[0]} {call[1]}"


if __name__ == "__main__":
    sys.exit(main())

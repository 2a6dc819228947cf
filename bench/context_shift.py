"""Does the turn after a context shift answer as a fresh computation would? Greedy turns on llama.cpp, each twice.

Run:
  python bench/context_shift.py                 # 40 last questions after one long chat
  python bench/context_shift.py --questions 10  # a quick look

A chat longer than the prompt budget leaves its oldest turns out (`assistant.context_window`), and a llama.cpp
sequence that held the chat moves its later turns' keys and values back into place instead of computing them
again (`model.shift_context`, `assistant.kv_states.reuse`). Those keys and values were computed with the
dropped turns before them, so the turn after the shift reads something a fresh computation would not write.
This bench measures what that changes. It plays one chat of the demo development questions (data/demo/eval:
desk4 and chat, one after the other; dry run, the engine's own answers) until the next turn's prompt leaves its
oldest turns out, puts the sequence's state aside, and then, for each of --questions other development
questions as that next turn, runs it twice: on the sequence restored to the chat's state (so it shifts), and on
a fresh sequence (so it computes the kept turns again). Compared: the turn's first call (tool and arguments, or
none) and the whole answer. Prints both agreement rates, every difference, and the time each took.

The model, tools and tool router are the ones `assistant serve` makes from the config (by default the embedded
model, the demo adapter and its router), at `model.gguf_quant`, on one llama.cpp thread. Each last question is
scored too against the call the development set asks for.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.chat_format import ChatFormat, system_message
from assistant.config import load_config, resolve_home
from assistant.context_window import fitted_history
from assistant.engine import Engine
from assistant.events import FinalAnswer
from assistant.gguf_export import served_gguf
from assistant.kv_states import reuse
from assistant.llama_backend import LlamaCppContext, LlamaCppDecoder
from assistant.runtime import Assistant
from finetune.evaluate import ToolQuery, read_jsonl

REPO = Path(__file__).resolve().parents[1]
SETS = [REPO / "data/demo/eval/desk4/tools.jsonl", REPO / "data/demo/eval/chat/tools.jsonl"]
#: The day both sets were written for (their manifests'), which their relative dates count from.
TODAY = date.fromisoformat(json.loads((SETS[0].parent / "manifest.json").read_text())["today"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=40, help="last questions compared (default 40)")
    parser.add_argument("--config", type=Path, help="assistant config YAML (default: the embedded defaults)")
    parser.add_argument("--home", type=Path, help="state directory (default: a fresh one under /tmp)")
    args = parser.parse_args(argv)

    config = load_config(args.config)
    config = config.model_copy(update={"start_demo_api": False,
                                       "model": config.model.model_copy(update={"backend": "llama_cpp"})})
    home = resolve_home(args.home or Path(tempfile.mkdtemp(prefix="context-shift-")), config)
    served = Assistant(config, home)  # the served model, tools and router, as `assistant serve` makes them
    loaded, router = served.loaded, served.engine.router
    path = served_gguf(loaded, home / "models", config.model.gguf_quant)
    context = LlamaCppContext(path, loaded.model.config.max_position_embeddings, sequences=2, n_threads=1)
    shifting, fresh = LlamaCppDecoder(context, 0, shift=True), LlamaCppDecoder(context, 1, shift=False)
    chat = served.engine.chat
    budget = (config.model.max_context_tokens, config.generation.max_new_tokens)

    def engine(decoder: LlamaCppDecoder) -> Engine:
        return Engine(decoder, chat, loaded.registry, served.tools, config.generation, config.system_prompt,
                      config.model.max_context_tokens, router=router)

    queries = [query for path in SETS for query in read_jsonl(path, ToolQuery)]
    history, asked = _long_chat(engine(shifting), chat, config.system_prompt, [q.q for q in queries], budget)
    state, held = context.save(0), list(shifting.held)  # the chat as its sequence holds it after its last turn
    last = queries[asked:][: args.questions]
    print(f"model: {loaded.source.name}  adapter: {loaded.adapter or 'none'}  "
          f"quant: {config.model.gguf_quant}  router: {'yes' if router else 'no'}  chat: {asked} turns, "
          f"{len(held)} tokens held  last questions: {len(last)}", flush=True)
    same_call = same_answer = 0
    right = {"shifted": 0, "computed again": 0}
    seconds = dict.fromkeys(right, 0.0)
    differences = []
    for index, query in enumerate(last, 1):
        messages = [*history, {"role": "user", "content": query.q}]
        context.load(0, state)
        shifting.held = list(held)
        fresh.held = []
        prompt = chat.prompt_ids(fitted_history(chat, messages, config.system_prompt, TODAY, *budget))
        moved = reuse(shifting.held, prompt, shifts=True)
        outcomes = {}
        for name, decoder in (("shifted", shifting), ("computed again", fresh)):
            started = time.perf_counter()
            outcomes[name] = _turn(engine(decoder), messages)
            seconds[name] += time.perf_counter() - started
            right[name] += _expected(query) == outcomes[name][0]
        a, b = outcomes["shifted"], outcomes["computed again"]
        same_call += a[0] == b[0]
        same_answer += a == b
        if a != b:
            differences.append((query, a, b))
        print(f"  {index}/{len(last)} moved {moved.run} tokens over {moved.drop}: "
              f"{'same' if a == b else 'same call' if a[0] == b[0] else 'DIFFERENT CALL'}", file=sys.stderr, flush=True)
    context.close()
    served.close()
    count = len(last)
    print(f"same first call: {same_call}/{count} = {same_call / count:.1%}   "
          f"same answer: {same_answer}/{count} = {same_answer / count:.1%}")
    print("the development set's call (tool and arguments, or none) made: " +
          ", ".join(f"{name} {value}/{count}" for name, value in right.items()))
    for query, a, b in differences:
        print(f"  {query.q!r}  (expected: {_expected(query)})\n      shifted:        {a}\n"
              f"      computed again: {b}")
    print("time: " + ", ".join(f"{name} {value:.0f} s" for name, value in seconds.items()))
    return 0


def _expected(query: ToolQuery) -> Any:
    """The call a development question asks for, as `_turn` writes a first call."""
    return None if query.tool is None else (query.tool if query.tool in ("calculator", "search") else
                                            f"api.{query.tool}", query.args)


def _long_chat(engine: Engine, chat: ChatFormat, system_prompt: str, questions: list[str],
               budget: tuple[int, int]) -> tuple[list[dict[str, Any]], int]:
    """Play `questions` in order as one chat until the next turn's prompt would leave the oldest turns out;
    return the chat's messages and how many questions it asked."""
    history: list[dict[str, Any]] = []
    system = [{"role": "system", "content": system_message(system_prompt, TODAY)}]
    for asked, question in enumerate(questions):
        messages = [*history, {"role": "user", "content": question}]
        if len(chat.prompt_ids(system + messages)) > budget[0] - budget[1]:
            return history, asked
        turn = _final(engine, messages)
        history = [*messages, *turn.messages]
        print(f"  chat turn {asked + 1}: {len(chat.prompt_ids(system + history))} tokens", file=sys.stderr, flush=True)
    raise SystemExit("the development questions ran out before the chat outgrew the prompt budget")


def _final(engine: Engine, messages: list[dict[str, Any]]) -> FinalAnswer:
    final = None
    for event in engine.run_turn(messages, dry_run=True, today=TODAY):
        if isinstance(event, FinalAnswer):
            final = event
    assert final is not None
    return final


def _turn(engine: Engine, messages: list[dict[str, Any]]) -> tuple[Any, str]:
    """A dry-run turn's first call ((tool, arguments), or None) and its answer."""
    final = _final(engine, messages)
    first = final.tool_calls[0] if final.tool_calls else None
    return (None if first is None else (first.tool, first.arguments)), final.answer


if __name__ == "__main__":
    sys.exit(main())

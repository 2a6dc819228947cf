"""A lever for the word problems the composer leaves, measured with the shipped model: the model's own likelihood
as the chooser among the expressions over all of a problem's figures (10 minutes for 40 problems on 2 cores).

Run:
  python bench/calc_likelihood.py --limit 40 [--home DIR]

The problems are the calculator development sets' (bench/word_problems.py's) that the composer leaves to the model,
shuffled with a fixed seed. Each is one dry-run turn of the served engine (demo defaults, shipped adapter) up to its
calculator call, twice: once with the model writing the expression as it serves (greedy, under the stated-figures
mask), once with the expression chosen instead as the one the model finds likeliest, token by token after the
calculator's toolken, among every expression of + - * / over all of the problem's figures, each used once (a
percentage as p/100, 1 + p/100 or 1 - p/100; bench/calc_templates.py's enumeration, the smallest expression for
each value). Right when the expression's value is the answer. Printed: right of the problems, for each.
The frozen test sets are not read here.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.config import load_config
from assistant.engine import Engine
from assistant.events import ToolOutcome
from assistant.runtime import Assistant
from assistant.tables import table
from assistant.turn_state import TurnState
from assistant.word_figures import Figure, in_digits, read_figures
from assistant.word_problems import composed_expression
from bench.calc_templates import MOST_FIGURES, Expression, _all_values
from bench.word_problems import DEFAULT_SETS, is_right
from tools.calculator import answer

SEED = 0


def written(expression: Expression, figures: list[Figure], parent: str | None = None, right: bool = False) -> str:
    """`expression` as the calculator reads it, with the parentheses its place under `parent` needs."""
    if expression[0] == "figure":
        text = figures[expression[1]].text
        return {"": text, "p": f"{text}/100", "1+p": f"(1 + {text}/100)", "1-p": f"(1 - {text}/100)"}[expression[2]]
    operator, left, right_side = expression
    text = f"{written(left, figures, operator)}{operator}{written(right_side, figures, operator, True)}"
    bracketed = parent is not None and (operator in "+-" and parent in "*/"
                                        or right and (parent == "/" or parent == "-" and operator in "+-"))
    return f"({text})" if bracketed else text


class LikeliestExpression(Engine):
    """The serving engine, but where the composer writes no expression the calculator's arguments are the
    likeliest, to the model, of the expressions over all of the request's figures."""

    def _composed_arguments(self, state: TurnState) -> list[int] | None:
        composed = super()._composed_arguments(state)
        if composed is not None or state.decoder is None or state.pending:
            return composed
        figures = read_figures(in_digits(state.history[-1]["content"].casefold()))
        if not figures or len(figures) > MOST_FIGURES:
            return None
        candidates = sorted(self.chat.encode(json.dumps({"expression": written(expression, figures)}))
                            for expression in _all_values(figures).values())
        decoder = state.decoder
        held = list(decoder.held)
        # the log-probabilities after each prefix, computed once: sorted, neighbours share their prefixes
        after = {(): torch.log_softmax(decoder.start(held).float(), -1)}  # (vocab,)
        best: tuple[float, list[int]] | None = None
        for tokens in candidates:
            score = 0.0
            for index, token in enumerate(tokens):
                prefix = tuple(tokens[:index])
                if prefix not in after:
                    after[prefix] = torch.log_softmax(decoder.start(held + list(prefix)).float(), -1)
                score += after[prefix][token].item()
            if best is None or score > best[0]:
                best = (score, tokens)
        decoder.start(held)  # the turn goes on from what the decoder held
        return best[1] if best is not None else None


def left_problems(limit: int) -> list[tuple[str, float]]:
    """The development problems the composer leaves, shuffled with SEED, the first `limit`."""
    problems = []
    for path in DEFAULT_SETS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                if composed_expression(item["q"]) is None:
                    problems.append((item["q"], float(item["answer"])))
    random.Random(SEED).shuffle(problems)
    return problems[:limit]


def called_value(engine: Engine, question: str) -> float | None:
    """The value of the calculator call the engine makes for `question` (a dry run stopped at it), or None."""
    turn = engine.run_turn([{"role": "user", "content": question}], dry_run=True)
    try:
        for event in turn:
            if isinstance(event, ToolOutcome):
                if event.tool != "calculator":
                    return None
                return answer(event.arguments.get("expression", "")).get("value", {}).get("numeric")
    finally:
        turn.close()
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=40, help="problems measured (default 40)")
    parser.add_argument("--home", type=Path, default=None, help="state directory (default: a fresh one)")
    args = parser.parse_args(argv)
    home = args.home or Path(tempfile.mkdtemp(prefix="calc-likelihood-"))
    config = load_config(None)
    served = Assistant(config.model_copy(update={"start_demo_api": False}), home)
    greedy = served.engine
    likeliest = LikeliestExpression(greedy.decoders, greedy.chat, greedy.registry, list(greedy.tools.values()),
                                    greedy.generation, greedy.system_prompt, greedy.max_context_tokens,
                                    router=greedy.router)
    problems = left_problems(args.limit)
    rows = []
    for name, engine in (("the model writes it (as served)", greedy), ("the likeliest over all figures", likeliest)):
        right = 0
        for question, expected in problems:
            value = called_value(engine, question)
            right += value is not None and is_right(value, expected)
        rows.append([name, str(len(problems)), str(right), f"{right / max(1, len(problems)):.3f}"])
    served.close()
    print("\n".join(table([["expression", "problems", "right", "share"], *rows], numbers_right=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

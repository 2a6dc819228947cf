"""Fitting the router's tool prior (`assistant.tool_prior`) on the project's hand-written development messages.

Run: `python -m finetune.tool_prior_fit` (seconds; writes data/router/tool_prior.json).

Examples: every message of the development sets of both shipped companies, the demo office's (`data/demo/eval`)
and Harbor's (`data/examples/harbor/eval*`, its `calc*.jsonl`): an API request, a document question or a word
problem wants a tool (1), a line whose tool is null wants none (0). The frozen test sets (`test/` folders) are
never read: they measure the prior, as they measure everything else. The weights are a logistic regression over
the sentence embeddings (scikit-learn, classes balanced). The report beside them says what the fit read (each
file's sha256 and counts) and how well a prior fitted on one company's messages alone tells the other's requests
from their chat (AUC): what it is worth on a catalog it never saw.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.paths import DATA_DIR
from assistant.router import PROBE_TEXT, Embed
from assistant.tool_prior import TOOL_PRIOR_FILE, ToolPrior

log = logging.getLogger(__name__)

#: Inverse regularisation strength of the logistic regression. Fitted on one half of the development files and
#: weighed by the router on the other half, 10 took back 10 right calls of about 1,650 where 3 took back 13 (both
#: righted 3-4 calls on no-call messages there, and 21 of 36 on two fresh sets); one company's messages told the
#: other's requests from their chat as well under either (AUC 0.95).
REGULARISATION_C = 10.0
#: Per company, the development files read, as globs under data/: API requests and no-call lines (`tools.jsonl`,
#: `q` and `tool`), document questions and word problems (every line wants a tool).
DEVELOPMENT_SETS = {
    "demo": ("demo/eval/tools.jsonl", "demo/eval/*/tools.jsonl", "demo/eval/docs*.jsonl", "demo/eval/*/docs*.jsonl",
             "demo/eval/calc*.jsonl"),
    "harbor": ("examples/harbor/eval*/tools.jsonl", "examples/harbor/eval*/docs.jsonl", "examples/harbor/calc*.jsonl"),
}


@dataclass(frozen=True)
class Message:
    text: str
    wants_tool: bool
    company: str


def development_files(data_dir: Path = DATA_DIR, leave_out: Sequence[str] = ()) -> dict[str, list[Path]]:
    """Per company, the development files the fit reads (sorted: DEVELOPMENT_SETS names only development
    folders), without those whose path holds one of `leave_out`."""
    files = {}
    for company, patterns in DEVELOPMENT_SETS.items():
        found = sorted({path for pattern in patterns for path in data_dir.glob(pattern)})
        files[company] = [path for path in found if not any(part in str(path) for part in leave_out)]
    return files


def read_messages(path: Path, company: str) -> list[Message]:
    """The messages of one development file, read as evaluation reads it (`finetune.evaluate.read_jsonl`, which
    names a bad line): a `tools.jsonl` line with a null tool wants none; a document question or a word problem
    wants one."""
    # evaluation loads the engine: imported only when a file is read
    from finetune.evaluate import DocQuestion, NumberQuestion, ToolQuery, read_jsonl

    if path.name == "tools.jsonl":
        return [Message(item.q, bool(item.tool), company) for item in read_jsonl(path, ToolQuery)]
    model = DocQuestion if path.name.startswith("docs") else NumberQuestion
    return [Message(item.q, True, company) for item in read_jsonl(path, model)]

def fit_prior(messages: Sequence[Message], embed: Embed) -> ToolPrior:
    """A prior fitted on `messages`, its report naming how many of each kind it read and, when two companies'
    messages are among them, each company's AUC under a prior fitted on the others alone."""
    from sklearn.linear_model import (
        LogisticRegression,  # a dependency of sentence-transformers, as is torch
    )
    from sklearn.metrics import roc_auc_score

    labels = np.asarray([message.wants_tool for message in messages])
    if labels.all() or not labels.any():
        raise ValueError("a tool prior needs messages that want a tool and messages that want none")
    vectors = np.asarray(embed([message.text for message in messages]), dtype=np.float32)
    companies = np.asarray([message.company for message in messages])
    model = LogisticRegression(C=REGULARISATION_C, class_weight="balanced", max_iter=5000).fit(vectors, labels)
    report: dict = {"messages": len(messages), "want_none": int((~labels).sum()), "transfer_auc": {}}
    for company in sorted(set(companies)):
        rest, own = companies != company, companies == company
        if len(set(labels[rest])) < 2 or len(set(labels[own])) < 2:
            continue
        other = LogisticRegression(C=REGULARISATION_C, class_weight="balanced", max_iter=5000)
        other.fit(vectors[rest], labels[rest])
        report["transfer_auc"][str(company)] = round(float(roc_auc_score(labels[own], other.decision_function(
            vectors[own]))), 3)
    return ToolPrior(model.coef_[0].astype(np.float32), float(model.intercept_[0]),
                     np.asarray(embed([PROBE_TEXT])[0], dtype=np.float32), report)


def fit_prior_from_files(files: dict[str, list[Path]], embed: Embed, data_dir: Path = DATA_DIR) -> ToolPrior:
    """A prior fitted on the development `files` (per company), its report naming each file with its sha256."""
    messages = [message for company, paths in files.items() for path in paths
                for message in read_messages(path, company)]
    prior = fit_prior(messages, embed)
    prior.report["files"] = {str(path.relative_to(data_dir)): hashlib.sha256(path.read_bytes()).hexdigest()
                             for paths in files.values() for path in paths}
    return prior


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=TOOL_PRIOR_FILE, help="where to write the prior")
    parser.add_argument("--leave-out", action="append", default=[], metavar="PART",
                        help="leave out development files whose path holds PART (a set kept to measure the prior on)")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from tools.retrieval import Embedder

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    prior = fit_prior_from_files(development_files(leave_out=args.leave_out), Embedder().embed)
    prior.save(args.out)
    print(f"{args.out}: {prior.report['messages']} messages, {prior.report['want_none']} wanting no tool; "
          f"AUC on each company under a prior fitted on the other: {prior.report['transfer_auc']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

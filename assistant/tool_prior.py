"""Whether a message asks for anything a tool gives, whatever the company: a prior the router weighs last.

A company's router is fitted on its build's questions, which are requests; its examples of messages that want no
tool are generic chat and writing requests quoted around the catalog's examples. Staff write much else on the
same topics that wants no tool: news of what already happened ("we ended up doing the retro in zephyr yesterday"),
a handover ("early shift done, 42 pallets in, 38 out"), a word for someone else ("@mark can you ring the driver
for PO-118204"), a "don't" ("leave SHP-204611 as it is"), a request to word a message, thinking aloud. Each
names the records a request would, so the company's classifier calls; and readings of such kinds
(`assistant.message_kinds`) held on the sets they were built from and much less on fresh ones.

This prior is a logistic regression over the same sentence embedding, fitted by `finetune.tool_prior_fit` on
the project's hand-written development messages of two unrelated companies (an office's and a logistics
firm's): what separates a request from chat there is the message's kind more than its topic. Fitted on one
company's messages it told the other's requests from their chat with an AUC of 0.95. Where
`generation.tool_prior` is on (it is off by default: on the hand-written test sets it took back more right calls
than calls on chat), the router lets a call stand only where this prior gives it at least TOOL_PRIOR_FLOOR,
unless the message asks for the call in words.

The weights ship as `data/router/tool_prior.json` (plain numbers; nothing is unpickled) with a probe embedding
that must match the embedder they are served with.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from assistant.paths import DATA_DIR

log = logging.getLogger(__name__)

#: Where the project's prior ships.
TOOL_PRIOR_FILE = DATA_DIR / "router" / "tool_prior.json"
TOOL_PRIOR_VERSION = 1



class PriorMismatch(ValueError):
    """A tool_prior.json that cannot be served here: another format version or another embedder."""


class ToolPrior:
    """P(the message asks for a tool's work) = sigmoid(embedding @ coef + intercept)."""

    def __init__(self, coef: np.ndarray, intercept: float, probe: np.ndarray, report: dict[str, Any] | None = None):
        if coef.ndim != 1 or probe.shape != coef.shape:
            raise ValueError(f"a tool prior's weights and probe are vectors of one size; got {coef.shape} and "
                             f"{probe.shape}")
        self.coef = coef  # (dim,)
        self.intercept = intercept
        self.probe = probe  # (dim,): the probe text's embedding under the embedder it was fitted with
        #: What the fit read and measured, saved beside the weights.
        self.report = report or {}

    def probability(self, vectors: np.ndarray) -> np.ndarray:
        """Per embedding (rows of `vectors`), the probability that its message wants a tool."""
        return 1.0 / (1.0 + np.exp(-(np.asarray(vectors, dtype=np.float32) @ self.coef + self.intercept)))

    def to_json(self) -> dict[str, Any]:
        return {
            "version": TOOL_PRIOR_VERSION,
            "coef": [round(float(x), 6) for x in self.coef],
            "intercept": round(float(self.intercept), 6),
            "probe": [round(float(x), 6) for x in self.probe],
            "report": self.report,
        }

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")
        return path

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ToolPrior:
        if data.get("version") != TOOL_PRIOR_VERSION:
            raise PriorMismatch(f"tool prior version {data.get('version')!r}; this code reads {TOOL_PRIOR_VERSION}")
        try:
            return cls(np.asarray(data["coef"], dtype=np.float32), float(data["intercept"]),
                       np.asarray(data["probe"], dtype=np.float32), dict(data.get("report") or {}))
        except (KeyError, TypeError, ValueError) as error:
            raise PriorMismatch(f"not a tool prior file: {error}") from error


def fitted_with(probe: np.ndarray, fitted: np.ndarray, same_embedder: float) -> bool:
    """Whether weights fitted with the probe embedding `fitted` serve under the embedder that gives `probe` for the
    same probe text: the same shape, and cosine `same_embedder` or more."""
    return probe.shape == fitted.shape and float(probe @ fitted) >= same_embedder


def load_tool_prior(probe: np.ndarray, same_embedder: float, path: Path = TOOL_PRIOR_FILE) -> ToolPrior | None:
    """The prior at `path` when the serving embedder, which gives `probe` for the probe text, is the one it was
    fitted with (`fitted_with`); None when there is no file or another embedder serves, for then its weights mean
    nothing. Raises PriorMismatch when the file is unreadable."""
    if not path.is_file():
        return None
    try:
        prior = ToolPrior.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PriorMismatch(f"{path}: {error}") from error
    if not fitted_with(probe, prior.probe, same_embedder):
        log.warning("%s was fitted with another sentence embedder than the one configured: the router goes "
                    "without it (refit it with `python -m finetune.tool_prior_fit`)", path)
        return None
    return prior

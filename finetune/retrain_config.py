"""`retrain:` the feedback loop's section of the assistant's config: when it runs, what it learns (and what
personal data it scrubs first) and the gate a candidate adapter passes."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.paths import DATA_DIR

# Pieces of the e-mail pattern's obfuscated forms: "jane[at]example.com", "jane (at) example (dot) com",
# "jane dot doe at example dot com". A bare " at " counts only with a spelled-out dot and a likely top-level
# domain after it, so "look at example.com" and "look at this dot product" stay as they are.
_AT = r"(?:\s*[\[({<]\s*at\s*[\])}>]\s*|\s*@\s*)"
_DOT = r"(?:\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+)"
_LOCAL = rf"[A-Za-z0-9_%+-]+(?:(?:\.|{_DOT})[A-Za-z0-9_%+-]+)*"
_DOMAIN = rf"[A-Za-z0-9-]+(?:(?:\.|{_DOT})[A-Za-z0-9-]+)*"
_SPOKEN_TLD = r"(?:com|org|net|edu|gov|info|biz|io|example|[a-z]{2})\b"
_IPV4_PART = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_HEX = r"[0-9A-Fa-f]{1,4}"

#: Personal data scrubbed from feedback before it is trained on: name -> regex; a match becomes [NAME], or
#: only its group named `pii` when it has one (the passport's keyword stays). Each leaves the others' matches
#: alone, so their order does not matter (a phone number never takes a piece of a card number, a card never
#: the digits of an IBAN, an ID number never the digits after a phone number's +). The known gaps are in the
#: README ("Learning from feedback").
DEFAULT_PII_PATTERNS: dict[str, str] = {
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
    rf"|(?i:\b{_LOCAL}{_AT}{_DOMAIN}(?:\.|{_DOT})[a-z]{{2,}}\b|\b{_LOCAL}\s+at\s+{_DOMAIN}{_DOT}{_SPOKEN_TLD})",
    # Any case; the group after the bank code is four digits in every country's format, which keeps words out.
    "iban": r"(?i:\b[A-Z]{2}\d{2} ?[A-Z0-9]{4} ?\d{4}(?: ?[A-Z0-9]{4}){0,5}(?: ?[A-Z0-9]{1,3})?\b)",
    "card": r"(?<![\d-])(?<![A-Za-z]\d\d[ -])(?<![A-Za-z]\d\d[ -][A-Za-z0-9]{4}[ -])(?<!\d{4}[ -])"
    r"(?:\d{4}[ -]){3}\d{1,4}(?![\d-])",
    "ssn": r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])",
    "phone": r"(?<![\w+])(?<!\d[ .-])(?:\+\d{9,15}|(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)|\d{2,4})[ .-]\d{3,4}[ .-]\d{3,4})"
    r"(?!\w|[ .-]\d)",
    # IPv4; IPv6 in full (eight groups) or with "::" after a group of two hex digits or more: never a time (10:30:45).
    "ip_address": rf"(?<![\w.])(?:{_IPV4_PART}\.){{3}}{_IPV4_PART}(?!\w|\.\d)"
    rf"|(?<![\w:])(?:(?:{_HEX}:){{7}}{_HEX}|[0-9A-Fa-f]{{2,4}}:(?:{_HEX}:){{0,5}}:(?:(?:{_HEX}:){{0,5}}{_HEX})?"
    rf"|(?:{_HEX}:){{2,6}}:(?:(?:{_HEX}:){{0,5}}{_HEX})?)(?![\w:])",
    # Only after the word "passport": unanchored, the shape (X1234567) is that of order numbers (HB73310002).
    "passport": r"(?i:\bpassport(?:\s+(?:no|nr|num|number)\b\.?|\s*#)?(?:\s+is)?\s*[:#(]?\s*)"
    r"(?P<pii>(?=[A-Za-z]*\d)(?!\d{9,}(?![A-Za-z0-9]))[A-Za-z0-9]{6,9})(?![A-Za-z0-9])",
    # Nine digits or more, also at a sentence end; not a decimal's digits (1234567890.50, 3.141592653).
    "id_number": r"(?<![\w+])(?<!\d\.)\d{9,}(?!\w|\.\d|,\d{1,2}(?!\d))",
}
#: Tracked metrics and how much worse than the serving adapter a candidate may be on each.
DEFAULT_TOLERANCE: dict[str, float] = {
    "fixed.loss": 0.05,
    "regression.loss": 0.05,
    "fixed.tools.selection_accuracy": 0.02,
    "fixed.tools.argument_accuracy": 0.02,
    "fixed.calculator.exact_accuracy": 0.02,
    "fixed.documents.keyword_accuracy": 0.02,
    "regression.tools.selection_accuracy": 0.0,
}
#: The sets a retrain measures: the fixed eval set, earlier good answers, the new feedback.
RETRAIN_SETS = ("fixed", "regression", "feedback")


class RetrainConfig(BaseModel):
    """`retrain:` the feedback loop (`assistant retrain`): when it runs, what it learns and the gate it passes."""

    model_config = ConfigDict(extra="forbid")

    schedule: str | None = Field(
        None,
        description="When `assistant serve` runs a retrain, as a cron line (minute hour day month weekday, "
        "server local time), e.g. '0 2 * * *' for 02:00 every night. None: only by hand, `assistant retrain`.",
    )
    min_feedback: int = Field(
        20, ge=1, description="Rated-up or corrected turns, new since the last promotion, needed to train; "
        "with fewer a run says so and stops (--force trains on any)."
    )
    base_data: Path | None = Field(
        None,
        description="Dataset folder from `assistant build-data`: its train.jsonl is mixed in so old skills are "
        "kept, its eval.jsonl is part of the fixed eval set. None: data/ in the state directory, if there.",
    )
    feedback_holdout: float = Field(
        0.25, ge=0.0, lt=1.0, description="Share of the new feedback held back from training: the gate's feedback "
        "set, so the candidate is judged on turns it did not train on (at least one once there are two)."
    )
    base_per_feedback: float = Field(
        4.0, ge=0.0, description="Base training records mixed in per feedback record (sampled with `seed`)."
    )
    train_config: Path | None = Field(
        None,
        description="Training YAML (as for `assistant train`) for method, lora, optim and max_seq_len; the "
        "retrain sets the model, data, output and tools. None: the training defaults.",
    )
    max_steps: int | None = Field(
        None, ge=1, description="Budget: optimizer steps of one retrain, over the training config's. None: its own."
    )
    eval_dir: Path = Field(
        DATA_DIR / "demo" / "eval",
        description="The fixed eval set: tools.jsonl, calc.jsonl and docs.jsonl in `assistant eval`'s formats "
        "(a missing file is skipped).",
    )
    eval_limit: int | None = Field(
        None, ge=1, description="Budget: items of each eval set run per model (the first ones). None: all."
    )
    eval_max_new_tokens: int = Field(96, ge=1, description="Generation budget of one eval answer, in tokens.")
    tolerance: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_TOLERANCE),
        description="Tracked metrics, `<set>.loss` or `<set>.<section>.<metric>` of metrics.json (sets: "
        "fixed, regression, feedback), and how much worse than the serving adapter the candidate may be on "
        "each, in the metric's units (a loss may rise, a rate fall, by that much). Others are reported only.",
    )
    improve_on: str = Field(
        "feedback.loss", description="The metric on which the candidate must beat the serving adapter (feedback: "
        "the held-back part of the new feedback, which the candidate did not train on)."
    )
    min_improvement: float = Field(
        0.0, ge=0.0, description="By how much it must beat it (0: any improvement)."
    )
    pii_patterns: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_PII_PATTERNS),
        description="Personal data scrubbed from feedback before training: name -> regex; a match becomes "
        "[NAME] (only its group named `pii`, when it has one). Replace the mapping to change the list.",
    )
    seed: int = Field(0, description="Seed of the base-data sample and the mix order.")

    @model_validator(mode="after")
    def _valid(self) -> RetrainConfig:
        import re

        for name, pattern in self.pii_patterns.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pii_patterns.{name}: not a valid regex: {exc}") from None
        for key in [*self.tolerance, self.improve_on]:
            if key.split(".")[0] not in RETRAIN_SETS or len(key.split(".")) < 2:
                raise ValueError(f"{key}: a metric is <set>.loss or <set>.<section>.<metric>, set one of "
                                 f"{', '.join(RETRAIN_SETS)}")
        negative = [key for key, value in self.tolerance.items() if value < 0]
        if negative:
            raise ValueError(f"tolerance: {', '.join(negative)} must not be negative")
        if self.schedule is not None:
            from apscheduler.triggers.cron import CronTrigger

            try:
                CronTrigger.from_crontab(self.schedule)
            except ValueError as exc:
                raise ValueError(f"schedule: {self.schedule!r} is not a cron line: {exc}") from None
        return self

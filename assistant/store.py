"""The conversation log: every turn with its messages, tool calls, sources and timings, in SQLite (WAL).

The `feedback` table ties staff ratings and corrections to the exact turn; the fine-tuning loop reads it.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.events import FinalAnswer

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id          TEXT PRIMARY KEY,
    user        TEXT NOT NULL,
    title       TEXT NOT NULL,
    created_at  REAL NOT NULL,
    updated_at  REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    question        TEXT NOT NULL,
    answer          TEXT NOT NULL,
    messages        TEXT NOT NULL,   -- JSON: the turn's messages (user, tool calls, tool results, reply)
    tool_calls      TEXT NOT NULL,   -- JSON: [{tool, arguments, status, result, error, elapsed_s}]
    sources         TEXT NOT NULL,   -- JSON: [source]
    timings         TEXT NOT NULL,   -- JSON: Timings fields
    model           TEXT NOT NULL,   -- the model and adapter that answered
    created_at      REAL NOT NULL,
    UNIQUE (conversation_id, position)
);
CREATE TABLE IF NOT EXISTS feedback (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    turn_id     INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
    user        TEXT NOT NULL,
    rating      INTEGER NOT NULL CHECK (rating IN (-1, 0, 1)),
    correction  TEXT,                -- a better answer suggested by staff
    created_at  REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns(conversation_id, position);
CREATE INDEX IF NOT EXISTS feedback_by_turn ON feedback(turn_id);
"""


@dataclass(frozen=True)
class TurnRecord:
    id: int
    conversation_id: str
    position: int
    question: str
    answer: str
    messages: list[dict[str, Any]]
    tool_calls: list[dict[str, Any]]
    sources: list[str]
    timings: dict[str, Any]
    model: str
    created_at: float


class ConversationStore:
    """Conversations, turns and feedback in one SQLite file."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys=ON")
        try:
            with db:  # one transaction: committed on success, rolled back on error
                yield db
        finally:
            db.close()

    def start_conversation(self, user: str, title: str) -> str:
        """An empty conversation; `log_new_conversation` stores one with its first turn instead."""
        conversation_id = uuid.uuid4().hex
        with self._connect() as db:
            _insert_conversation(db, conversation_id, user, title, time.time())
        return conversation_id

    def log_new_conversation(self, user: str, question: str, final: FinalAnswer, model: str) -> tuple[str, int]:
        """Start a conversation titled by its first question and store that finished turn, in one
        transaction (a turn that never finishes leaves no empty conversation); returns both ids."""
        conversation_id = uuid.uuid4().hex
        now = time.time()
        with self._connect() as db:
            _insert_conversation(db, conversation_id, user, question, now)
            return conversation_id, _insert_turn(db, conversation_id, question, final, model, now)

    def log_turn(self, conversation_id: str, question: str, final: FinalAnswer, model: str) -> int:
        """Append one finished turn; returns its id (what feedback refers to)."""
        with self._connect() as db:
            found = db.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
            if found is None:
                raise KeyError(f"no conversation {conversation_id}")
            return _insert_turn(db, conversation_id, question, final, model, time.time())

    def add_feedback(self, turn_id: int, user: str, rating: int, correction: str | None = None) -> int:
        """Record a rating (-1, 0 or 1) and an optional corrected answer for one turn."""
        if rating not in (-1, 0, 1):
            raise ValueError(f"rating must be -1, 0 or 1, not {rating!r}")
        with self._connect() as db:
            if db.execute("SELECT 1 FROM turns WHERE id = ?", (turn_id,)).fetchone() is None:
                raise KeyError(f"no turn {turn_id}")
            cursor = db.execute(
                "INSERT INTO feedback (turn_id, user, rating, correction, created_at) VALUES (?, ?, ?, ?, ?)",
                (turn_id, user, rating, correction, time.time()),
            )
            return int(cursor.lastrowid)

    def ratings(self, conversation_id: str) -> dict[int, int]:
        """The latest rating (-1, 0 or 1) of each rated turn of a conversation, by turn id."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT f.turn_id, f.rating FROM feedback AS f JOIN turns AS t ON t.id = f.turn_id"
                " WHERE t.conversation_id = ? ORDER BY f.created_at, f.id", (conversation_id,)
            ).fetchall()
        return {row["turn_id"]: row["rating"] for row in rows}  # later rows win

    def conversations(self, user: str) -> list[dict[str, Any]]:
        """A user's conversations, newest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, title, created_at, updated_at FROM conversations WHERE user = ? ORDER BY updated_at DESC",
                (user,),
            ).fetchall()
        return [dict(row) for row in rows]

    def turns(self, conversation_id: str) -> list[TurnRecord]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM turns WHERE conversation_id = ? ORDER BY position", (conversation_id,)
            ).fetchall()
        return [_turn(row) for row in rows]

    def history(self, conversation_id: str) -> list[dict[str, Any]]:
        """The conversation as chat messages for the next turn: each turn's question, its calls and their tool
        results, and its answer, as the turn wrote them. A follow-up goes on from the call before it ("and
        urgent?" keeps the call's status filter, "ok zephyr then" the refused booking's day and time), and an id
        a tool result gave is one the next call may take; with the question and answer alone the next turn had
        neither. A turn whose messages were not kept whole gives its question and answer."""
        messages: list[dict[str, Any]] = []
        for turn in self.turns(conversation_id):
            kept = turn.messages
            if kept and kept[0] == {"role": "user", "content": turn.question} and kept[-1].get("role") == "assistant":
                messages += kept
            else:
                messages += [{"role": "user", "content": turn.question}, {"role": "assistant", "content": turn.answer}]
        return messages

    def conversation_owner(self, conversation_id: str) -> str | None:
        """The user a conversation belongs to (None when there is no such conversation)."""
        with self._connect() as db:
            row = db.execute("SELECT user FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        return row["user"] if row else None

    def turn_owner(self, turn_id: int) -> str | None:
        """The user whose conversation holds the turn (None when there is no such turn)."""
        with self._connect() as db:
            row = db.execute(
                "SELECT c.user FROM turns AS t JOIN conversations AS c ON c.id = t.conversation_id WHERE t.id = ?",
                (turn_id,),
            ).fetchone()
        return row["user"] if row else None

    def feedback(
        self, *, rating: int | None = None, user: str | None = None, text: str | None = None,
        corrected: bool | None = None, limit: int = 500,
    ) -> list[dict[str, Any]]:
        """Rated turns, newest feedback first, each with its latest feedback: turn_id, conversation_id, user
        (who rated), rating, correction, question, answer, model, rated_at. Filters: the rating, who rated,
        a text in the question or answer, and whether a better answer was suggested."""
        latest = "SELECT id FROM feedback WHERE turn_id = t.id ORDER BY created_at DESC, id DESC LIMIT 1"
        where: list[str] = [f"f.id = ({latest})"]
        params: list[Any] = []
        if rating is not None:
            where.append("f.rating = ?")
            params.append(rating)
        if user:
            where.append("f.user = ?")
            params.append(user)
        if text:
            where.append("(t.question LIKE ? OR t.answer LIKE ?)")
            params += [f"%{text}%", f"%{text}%"]
        if corrected is not None:
            where.append("COALESCE(f.correction, '') <> ''" if corrected else "COALESCE(f.correction, '') = ''")
        query = (
            "SELECT t.id AS turn_id, t.conversation_id, f.user, f.rating, f.correction, t.question, t.answer,"
            " t.model, f.created_at AS rated_at FROM turns AS t JOIN feedback AS f ON f.turn_id = t.id"
            f" WHERE {' AND '.join(where)} ORDER BY f.created_at DESC, f.id DESC LIMIT ?"
        )
        with self._connect() as db:
            rows = db.execute(query, (*params, limit)).fetchall()
        return [dict(row) for row in rows]

    def delete_conversation(self, conversation_id: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))


def _insert_conversation(db: sqlite3.Connection, conversation_id: str, user: str, title: str, now: float) -> None:
    db.execute(
        "INSERT INTO conversations (id, user, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        (conversation_id, user, title[:120], now, now),
    )


def _insert_turn(
    db: sqlite3.Connection, conversation_id: str, question: str, final: FinalAnswer, model: str, now: float
) -> int:
    """Append a finished turn to an existing conversation inside the caller's transaction; its id."""
    calls = [
        {**call.to_json(), "status": call.status, "elapsed_s": round(call.elapsed_s, 4)}
        for call in final.tool_calls
    ]
    timings = {**final.timings.__dict__, "decode_tokens_per_s": final.timings.decode_tokens_per_s}
    messages = [{"role": "user", "content": question}, *final.messages]
    position = db.execute(
        "SELECT COALESCE(MAX(position), -1) + 1 FROM turns WHERE conversation_id = ?", (conversation_id,)
    ).fetchone()[0]
    cursor = db.execute(
        "INSERT INTO turns (conversation_id, position, question, answer, messages, tool_calls, sources,"
        " timings, model, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            conversation_id,
            position,
            question,
            final.answer,
            _dumps(messages),
            _dumps(calls),
            _dumps(final.sources),
            _dumps(timings),
            model,
            now,
        ),
    )
    db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id))
    return int(cursor.lastrowid)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _turn(row: sqlite3.Row) -> TurnRecord:
    return TurnRecord(
        id=row["id"],
        conversation_id=row["conversation_id"],
        position=row["position"],
        question=row["question"],
        answer=row["answer"],
        messages=json.loads(row["messages"]),
        tool_calls=json.loads(row["tool_calls"]),
        sources=json.loads(row["sources"]),
        timings=json.loads(row["timings"]),
        model=row["model"],
        created_at=row["created_at"],
    )

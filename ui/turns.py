"""Chat for many people at once over one assistant: turns in worker threads, approvals, history, feedback.

A web request streams a turn's events while the person decides, in another request, whether a side-effecting
call may be sent: `TurnRunner` runs `Assistant.ask` in a thread and parks it on an approval until `decide`
is called (or the wait times out, which declines the call). Each approval carries a fresh random id that the
page shows with the call and sends back with the decision; a decision naming any other id is void, so a late
or repeated click can never approve a call the person has not seen. Turns run side by side: the engine leases
each a decoder from its pool (a turn waiting for an approval holds none), and says when a turn waits for one.
When a page goes away (`ChatService.leave`), the call waiting in it is declined at once, as is one left waiting
when its page asks something else; the new question's turn starts once the declined one has ended (`after`).
`ChatService` is what the web app calls: it scopes history and feedback to the logged-in user, so one person can
neither read, delete nor rate another's conversation.
"""

from __future__ import annotations

import queue
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from assistant.approvals import Approver, CannotApprove, Unattended
from assistant.events import Event, ToolCall
from assistant.store import ConversationStore, TurnRecord


@dataclass(frozen=True)
class ApprovalNeeded:
    """The turn is waiting: `call` changes data and is sent only if the person confirms it, by answering
    `approval_id` (which names this call and no other)."""

    call: ToolCall
    approval_id: str


@dataclass
class _Pending:
    """The call a turn is parked on, and the decision once one arrives."""

    approval_id: str
    call: ToolCall
    decided: threading.Event
    approved: bool = False
    #: Why nobody decided, when the call was dropped without a decision (the page went away, a new question).
    dropped: str | None = None


_DONE = object()
#: What the model reads for a call dropped because its page went away or another question was asked.
LEFT = "not sent: the person left the page or asked something else before confirming"


class TurnRunner:
    """One turn in a worker thread: iterate `events()` in one place, answer approvals with `decide()`."""

    def __init__(self, run: Callable[[Approver], Iterator[Any]], approval_timeout_s: float = 300.0,
                 after: TurnRunner | None = None):
        """`run(approve)` starts the turn (e.g. `lambda approve: assistant.ask(question, approve=approve)`),
        once the turn `after` (the same page's last one) has ended.

        A page's turns follow each other: a turn reads the conversation as the store holds it when it starts,
        and is logged after the ones before it. A question asked while the page's last turn still ends (a call
        left waiting, declined by this question, is answered "not sent") would otherwise start without that
        turn in its history, and on another decoder than the one holding the conversation, which it would
        compute again from its start (seconds for a long chat, on cores every other person's turn needs)."""
        self._run = run
        self.approval_timeout_s = approval_timeout_s
        self._after = after
        self._events: queue.Queue[Any] = queue.Queue()
        self._pending: _Pending | None = None
        self._left: str | None = None  # why every call this turn asks for from now on is dropped unasked
        self._guard = threading.Lock()  # a decision and the turn moving on never interleave
        self._thread = threading.Thread(target=self._work, name="turn", daemon=True)
        self._thread.start()

    @property
    def done(self) -> bool:
        """True once the turn has ended (its events may still be unread)."""
        return not self._thread.is_alive()

    @property
    def waiting(self) -> ToolCall | None:
        """The call awaiting a decision, if any."""
        pending = self._pending
        return pending.call if pending is not None else None

    def decide(self, approval_id: str, approved: bool) -> bool:
        """Send (True) or decline (False) the waiting call, when `approval_id` names it; False, and nothing
        happens, when nothing waits or another call does (a decision is only ever for the call it names)."""
        with self._guard:
            pending = self._pending
            offered = str(approval_id or "").encode("utf-8")
            if pending is None or not secrets.compare_digest(offered, pending.approval_id.encode("ascii")):
                return False
            pending.approved = approved
            self._pending = None
            pending.decided.set()
            return True

    def decline(self, reason: str = LEFT) -> bool:
        """Drop whatever call waits, unsent, telling the model `reason` (by default: the person left or asked
        something else), and any the turn asks for after it; False when none waits."""
        with self._guard:
            self._left = reason  # nobody is there to confirm a later call of this turn either
            pending = self._pending
            if pending is None:
                return False
            self._pending = None
            pending.dropped = reason
            pending.decided.set()
            return True

    def events(self) -> Iterator[Event | ApprovalNeeded]:
        """The turn's events as they come (`QueueWait` while it waits for an engine), `ApprovalNeeded` where
        it waits for a person; ends with the turn and raises what the turn raised."""
        while True:
            item = self._events.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def _approve(self, call: ToolCall) -> bool:
        pending = _Pending(secrets.token_urlsafe(12), call, threading.Event())
        with self._guard:
            if self._left is not None:
                raise Unattended(self._left)
            self._pending = pending
        self._events.put(ApprovalNeeded(call, pending.approval_id))
        # Nobody answering in time declines the call: it is never sent by default.
        answered = pending.decided.wait(timeout=self.approval_timeout_s)
        with self._guard:
            if self._pending is pending:
                self._pending = None
        if not answered:
            raise CannotApprove(f"not sent: nobody confirmed it within {self.approval_timeout_s:g} s")
        if pending.dropped is not None:
            raise Unattended(pending.dropped)
        return pending.approved

    def _work(self) -> None:
        try:
            if self._after is not None:
                self._after._thread.join()
                self._after = None  # nothing of the turn before is kept once this one runs
            for event in self._run(self._approve):
                self._events.put(event)
        except BaseException as exc:  # handed to the reader, who raises it where it is seen
            self._events.put(exc)
        finally:
            self._events.put(_DONE)


class NotYours(PermissionError):
    """A conversation or turn that belongs to someone else (or to nobody)."""


class ChatService:
    """Turns, history and feedback for logged-in users, over one assistant (or anything with its `ask`)."""

    def __init__(self, ask: Callable[..., Iterator[Event]], store: ConversationStore, approval_timeout_s: float = 300.0):
        self.ask = ask
        self.store = store
        self.approval_timeout_s = approval_timeout_s
        self._runners: dict[str, TurnRunner] = {}  # by browser session: one turn at a time per tab

    def start_turn(self, session: str, user: str, question: str, conversation_id: str | None,
                   force_tool: str | None = None) -> TurnRunner:
        """Start answering `question` in `conversation_id` (None: a new conversation) for `user`;
        `force_tool` makes the answer start with that tool (as `assistant ask --tool`)."""
        if conversation_id is not None:
            self._check_owner(conversation_id, user)
        current = self._runners.get(session)
        if current is not None:
            current.decline()  # a new question abandons a call left unconfirmed
        runner = TurnRunner(
            lambda approve: self.ask(question, conversation_id=conversation_id, user=user, approve=approve,
                                     force_tool=force_tool),
            self.approval_timeout_s, after=current)
        self._runners = {key: other for key, other in self._runners.items() if not other.done}  # forget old tabs
        self._runners[session] = runner
        return runner

    def leave(self, session: str) -> bool:
        """The browser session's page is gone (closed, reloaded): decline the call waiting in its turn, if any,
        now rather than at the approval timeout; True when one waited."""
        runner = self._runners.get(session)
        return runner.decline() if runner is not None else False

    def decide(self, session: str, approval_id: str, approved: bool) -> bool:
        """Answer the call `approval_id` names, when it waits in this browser session's turn; False (and
        nothing happens) when it does not: another call waits, or none."""
        runner = self._runners.get(session)
        return runner.decide(approval_id, approved) if runner is not None else False

    def conversations(self, user: str) -> list[dict[str, Any]]:
        """The user's conversations, newest first."""
        return self.store.conversations(user)

    def turns(self, user: str, conversation_id: str) -> list[TurnRecord]:
        """The turns of one of the user's conversations."""
        self._check_owner(conversation_id, user)
        return self.store.turns(conversation_id)

    def ratings(self, user: str, conversation_id: str) -> dict[int, int]:
        """The user's latest rating of each rated turn of one of their conversations, by turn id."""
        self._check_owner(conversation_id, user)
        return self.store.ratings(conversation_id)

    def delete(self, user: str, conversation_id: str) -> None:
        """Delete one of the user's conversations, with its turns and feedback."""
        self._check_owner(conversation_id, user)
        self.store.delete_conversation(conversation_id)

    def rate(self, user: str, turn_id: int, rating: int, correction: str | None = None) -> int:
        """Store a rating (1 up, -1 down) and optionally a better answer for one of the user's turns."""
        if self.store.turn_owner(turn_id) != user:
            raise NotYours(f"turn {turn_id} is not in your conversations")
        if correction is not None and not correction.strip():
            raise ValueError("the suggested answer is empty")
        return self.store.add_feedback(turn_id, user, rating, correction.strip() if correction else None)

    def _check_owner(self, conversation_id: str, user: str) -> None:
        if self.store.conversation_owner(conversation_id) != user:
            raise NotYours("that conversation is not yours (or no longer exists)")

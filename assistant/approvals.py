"""Approval of side-effecting calls: who is asked before a call that changes something is sent, and what the
engine says when nobody said yes.

The engine asks an `Approver` before it sends a call with side effects; the CLI asks on the terminal, the web app
asks in the browser (`ui/turns.py`). An approver with nobody to ask raises `CannotApprove`, one whose person has
gone on raises `Unattended`; either way the call is not sent.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.events import ToolCall

#: Asked before a side-effecting call is sent; True sends it, False is the user's no. An approver that has
#: nobody to ask raises CannotApprove instead.
Approver = Callable[[ToolCall], bool]

#: The tool message of a call the user declined.
DECLINED = "the user declined this call"
#: The tool message of a side-effecting call in a turn run without an approver.
NOBODY_ASKED = "not sent: side-effecting calls need someone's approval and nobody could be asked"
#: The answer of a turn whose call was left unconfirmed when its person went on (`Unattended`).
UNATTENDED_REPLY = "Not sent: it was not confirmed before you went on."


class CannotApprove(Exception):
    """Raised by an approver that has nobody to ask (no terminal, no browser); the call is not sent and the
    message, which says why, is what the model reads as the tool result."""


class Unattended(CannotApprove):
    """Raised by an approver whose person has gone on (closed the page, or asked something else there): the call
    is not sent, and the turn ends at once with UNATTENDED_REPLY rather than a reply the model writes that nobody
    waits to read, so that the person's next turn, which starts once this one has ended, waits for no decoding."""


def declined_reply(error: str) -> str:
    """The answer after a side-effecting call that was not approved: "Not sent: " and why (`error`, the tool
    message: the person said no, nobody confirmed it in time, nobody could be asked)."""
    reason = "you said no to it" if error == DECLINED else error.removeprefix("not sent: ")
    return f"Not sent: {reason.rstrip('.')}."

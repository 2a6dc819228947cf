"""Whether a catalog operation does the action a request asks for, read from the verb the request opens with.

The router places a request by its nouns: "approve leave request 505" and "reject leave request 506" sit next to
cancelLeaveRequest's requests, "reassign ticket 4103 to E1010" next to updateTicketStatus's, and each of those
calls would change the record the request names in a way nobody asked for. A request that opens with a verb of
its own action (`DISTINCT_ACTIONS`: approve, reassign, refund, ...) is not sent to an operation whose words do not
name that action, where no operation on the same records (a summary noun in common) names it either: the reply
says so and lists what the catalog can do with such records instead. That holds for each kind of operation:
- one that changes an existing record: "approve leave request 505" is no cancellation;
- a look-up: "fire E1010" had shown E1010's directory entry as if that were the answer, "delete ticket 4102" the
  ticket; a look-up asked to e-mail, print or forward something still reads it (`_SAYS`);
- one that makes a new record, for an action on a record that exists (`_NO_NEW_RECORD`: "move E1003 to the
  Finance department" had opened an IT ticket titled "Finance department"). Other actions may fairly be a new
  record: "reset my password" a ticket for IT, "reimburse my taxi" an expense claim.

An operation names an action by its own words (`_names`): the verbs its operationId, summary and description
open with and, for a change, its example requests' verbs, its arguments' names and the values they set
("resolved", "closed"). A change also does what a request asks where the request writes a value it sets ("move
ticket 4101 back to open": updateTicketStatus's status).

The same holds where the router placed the request at no operation (`undone_action`: "approve PO-118204" had been
answered "I'm sorry for your loss"), and for a property the chosen change does not set (`unchanged_property`:
"change the priority of ticket 4101 to high" had set its status to open). A change the request says not to do is
not one to make (`negated_action`: "no don't reopen 4104"), and a change whose verb another change on the same
records opens with is that change (`named_change`: "cancel my leave next friday" is no new leave request).

A request the router placed at a change only by a small margin is most often for a change no operation makes
("book me a flight to Berlin" had been sent as a sick day): the reply lists the changes the catalog can make
(`unsure_change_reply`).

A question the router's classifier was sure wants an operation, where its checks then found none that can answer it
("is anyone from finance on leave next week?", which states none of what a leave balance needs), is answered with
what the catalog can look up on those records (`unanswered_question`), not left to the model alone.

A request for a change that states nothing the operation takes, in a chat that writes no number ("ok then cancel
it" as its first message), is not the model's to answer: it had replied "I'll do that now. (pause)" and nothing
followed. The answer asks for the record's id (`needed_id`), and the engine keeps the call for the answer to it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date

from assistant.codes import record_ids, record_word
from assistant.operation_fit import states_nothing, writes_a_digit
from assistant.slots import asks, enum_words
from tools.base import Tool
from tools.catalog import ApiOperationTool

#: Verbs that name an action of their own, no operation's under another word: a request opening with one asks
#: for exactly that.
DISTINCT_ACTIONS = frozenset({
    "approve", "reject", "decline", "deny", "authorise", "authorize", "reassign", "assign", "transfer", "escalate",
    "promote", "demote", "fire", "dismiss", "hire", "pay", "refund", "reimburse", "email", "e-mail", "mail",
    "message", "notify", "remind", "forward", "order", "buy", "purchase", "rename", "merge", "delete", "remove",
    "erase", "archive", "restore", "reset", "unlock", "upgrade", "downgrade", "install", "invite", "print", "ship",
    "withdraw", "move", "increase", "decrease",
})
#: A request for a new record, which a look-up never makes: "add a new supplier", "create a new carrier".
_NEW_RECORD = re.compile(r"(?:add|create|register|onboard|set up|make|open)\s+(?:a\s+|an\s+)?new\b", re.IGNORECASE)
#: Actions that only say or show something: asked of a look-up, it reads what they would send ("email me the open
#: tickets").
_SAYS = frozenset({"email", "e-mail", "mail", "message", "notify", "remind", "forward", "print"})
#: Actions on a record that exists, which no new record does: "approve" is no new ticket, "reset my password" may be.
_NO_NEW_RECORD = frozenset({
    "approve", "reject", "decline", "deny", "authorise", "authorize", "reassign", "assign", "transfer", "promote",
    "demote", "fire", "dismiss", "move", "increase", "decrease", "withdraw",
})
#: Verbs staff write for an operation's verb: "delete my leave request 509" cancels it.
SAME_ACTION = {"delete": "cancel", "remove": "cancel", "withdraw": "cancel", "erase": "cancel"}

#: What a request may say before its verb: "please approve ...", "can you pls reject ...", "i'd like to ...".
_BEFORE_THE_VERB = re.compile(
    r"^\W*(?:(?:hi|hey|hello|ok|okay)\W+)?(?:(?:can|could|would|will) (?:you|u) )?(?:please |pls |plz |kindly )?"
    r"(?:(?:i(?:'d| would) like to|i want(?: you)? to|i need(?: you)? to|go ahead and|you can) )?(?:please |pls )?",
    re.IGNORECASE)


def asked_action(request: str) -> str | None:
    """The verb `request` opens with (after a greeting, "can you", "please", "i'd like to"), where it is one of
    DISTINCT_ACTIONS; None otherwise."""
    word = _first_word(request)
    return word if word in DISTINCT_ACTIONS else None


def _first_word(request: str) -> str | None:
    """The word `request` opens with after a greeting, "can you", "please" or "i'd like to", in lower case."""
    word = re.match(r"[a-z]+(?:-[a-z]+)?", request[_BEFORE_THE_VERB.match(request).end():].lower())
    return None if word is None else word.group()


def unsupported_action(request: str, tool: str, tools: Mapping[str, Tool]) -> str | None:
    """The action `request` asks for (`asked_action`) where `tool`, a catalog operation, does not do it and no
    operation on the same records does (`_does`); None when it may be called. An operation that makes a new
    record is refused only actions on a record that exists (`_NO_NEW_RECORD`), and a look-up none that only says
    or shows something (`_SAYS`)."""
    verb = asked_action(request)
    operation = tools.get(tool)
    if verb is None and isinstance(operation, ApiOperationTool) and not operation.side_effects and \
            _NEW_RECORD.match(request[_BEFORE_THE_VERB.match(request).end():]):
        verb = _first_word(request)  # "can you add a new supplier for us?" placed at the supplier look-up
    if verb is None or not isinstance(operation, ApiOperationTool):
        return None
    if (operation.side_effects and not _on_a_record(operation) and verb not in _NO_NEW_RECORD) \
            or (not operation.side_effects and verb in _SAYS):
        return None
    if _does(operation, verb, request):
        return None
    # another operation on the same records, where the request is about its records: "move ticket 4101 back to
    # open" placed at getTicket, not "move E1003 to the Finance department" placed at createTicket
    nouns = _nouns(operation.operation.summary)
    written = {_stem(word) for word in re.findall(r"[a-z]+", request.lower())}
    if any(_does(other, verb, request) for other in tools.values() if isinstance(other, ApiOperationTool)
           and nouns & _nouns(other.operation.summary) and written & _nouns(other.operation.summary)):
        return None
    return verb


def _does(operation: ApiOperationTool, verb: str, request: str) -> bool:
    """Whether the operation, a change, does the action `verb` of `request`: its words name the action (`_names`;
    "delete" as "cancel", `SAME_ACTION`) or the request writes a value it sets ("move ticket 4101 back to open")."""
    if not operation.side_effects:
        return False
    words = set(re.findall(r"[a-z]+(?:[_-][a-z]+)*", request.lower()))
    return _names(operation, SAME_ACTION.get(verb, verb)) or any(
        value in words or (" " in value and value in request.lower()) for value in _set_values(operation))


def unchanged_property(request: str, tool: str, tools: Mapping[str, Tool]) -> str | None:
    """The property of a record that `request` asks to change (`_CHANGED`: "change the priority of ticket 4101",
    "category to hardware") where `tool`, a change of an existing record, does not set it: one that another
    operation of the catalog has ("priority", "category", "carrier") and this one has not, and the request
    writes no value this operation sets. updateTicketStatus had set the status to open for "change the priority
    of ticket 4101 to high" and answered "Done.". None where the request writes a value the operation sets
    ("close 4101 and set the priority to low": the status is closed) or changes no such property."""
    operation = tools.get(tool)
    if not isinstance(operation, ApiOperationTool) or not _on_a_record(operation) or _sets_a_value(operation, request):
        return None
    own = set(operation.parameters.get("properties") or {})
    others = sorted({name for other in tools.values() if isinstance(other, ApiOperationTool)
                     for name in other.parameters.get("properties") or {} if re.fullmatch(r"[a-z]+", name)} - own)
    return next((name for name in others if re.search(_CHANGED.format(name=name), request, re.IGNORECASE)), None)


#: A property named as what a request changes: "change the priority", "set ticket 4101's category", "priority to
#: high".
_CHANGED = (r"\b(?:change|set|update|switch|alter|edit|modify|raise|lower|bump|increase|decrease)\b"
            r"(?:\s+[\w'’#-]+){{0,3}}?\s+{name}s?\b|\b{name}s?\s+(?:to|from)\s")


def _sets_a_value(operation: ApiOperationTool, request: str) -> bool:
    """Whether `request` writes a value of one of the operation's enums ("closed" as "close", "in progress")."""
    written = {_stem(word) for word in re.findall(r"[a-z]+", request.lower())}
    return any(_stem(value) in written if " " not in value else value in request.lower()
               for value in _set_values(operation))


def _set_values(operation: ApiOperationTool) -> list[str]:
    """The values the operation's enums take, in lower case with spaces for underscores ("in progress"), less
    "other", which any request may say."""
    return [value.lower().replace("_", " ") for schema in (operation.parameters.get("properties") or {}).values()
            for value in schema.get("enum") or () if isinstance(value, str) and value != "other"]


def _changes(tools: Mapping[str, Tool]) -> list[ApiOperationTool]:
    """The catalog operations among `tools` that change something."""
    return [tool for tool in tools.values() if isinstance(tool, ApiOperationTool) and tool.side_effects]


def undone_action(request: str, tools: Mapping[str, Tool]) -> str | None:
    """The action `request` asks for (`asked_action`) where no operation of the catalog does it (`_does`), for a
    request the router placed at no operation: "approve PO-118204" had been answered "I'm sorry for your loss",
    "fire the driver of SHP-204518" with "I'll do that now." and a made-up record. None for a question, an action
    that only says something (`_SAYS`: the model may draft the e-mail) and one an operation does."""
    verb = asked_action(request)
    operations = [tool for tool in tools.values() if isinstance(tool, ApiOperationTool)]
    if verb is None or verb in _SAYS or asks(request) or not operations \
            or any(_does(operation, verb, request) for operation in operations):
        return None
    return verb


def unsupported_reply(verb: str, tool: str | None, tools: Mapping[str, Tool]) -> str:
    """The answer to a request for `verb`, which no operation does, that the router placed at `tool`: what the
    catalog can do with the same records instead (the operations whose summaries share a noun with `tool`'s); for
    a request placed at no operation (None), the changes it can make."""
    if tool is None:
        changes = _changes(tools)
        listed = f" The changes I can make: {_listed(changes)}." if changes else ""
        return f"I can't do that: none of the API's operations can {verb}.{listed}"
    chosen = tools[tool]
    assert isinstance(chosen, ApiOperationTool)
    return f"I can't do that: none of the API's operations can {verb}. What I can do there: " \
           f"{_listed(_same_records(chosen, tools))}."


def _same_records(operation: ApiOperationTool, tools: Mapping[str, Tool]) -> list[ApiOperationTool]:
    """The catalog operations among `tools` on the same records as `operation`, itself included: those whose
    summaries share a noun with its own."""
    nouns = _nouns(operation.operation.summary)
    return [other for other in tools.values()
            if isinstance(other, ApiOperationTool) and nouns & _nouns(other.operation.summary)]


def _listed(operations: Sequence[ApiOperationTool]) -> str:
    """The operations' summaries as one phrase: "list leave requests, request leave ... or cancel a leave request"."""
    can = [operation.operation.summary[:1].lower() + operation.operation.summary[1:].rstrip(".")
           for operation in operations]
    return can[0] if len(can) == 1 else f"{', '.join(can[:-1])} or {can[-1]}"


#: An order taken back: "no don't reopen 4104", "dont cancel slot 8290", "no need to book sirocco after all".
_NEGATED = re.compile(r"\b(?:don'?t|do not|no need to|never)\s+([a-z]+)(?:\s+([a-z]+))?", re.IGNORECASE)


def negated_action(request: str, tool: str, tools: Mapping[str, Tool]) -> str | None:
    """The action of `tool`, a change, that `request` says not to do ("no don't reopen 4104, it's fine":
    updateTicketStatus had closed the ticket; "dont cancel slot 8290, the driver is just stuck in traffic"), where
    it orders none of the change's actions otherwise; None otherwise. A flag's verb said so is a value, not an
    order taken back: "dont email the customer" sets updateShipment's notify_customer to false."""
    operation = tools.get(tool)
    if not isinstance(operation, ApiOperationTool) or not operation.side_effects:
        return None
    # the verb said not to do, or the one after a word such as "even" or "actually"
    negated = [verb for found in _NEGATED.finditer(request) for verb in found.groups() if verb
               and _acts(operation, verb)]
    if not negated:
        return None
    rest = _NEGATED.sub(" ", request)
    if any(_acts(operation, word) for word in re.findall(r"[a-z]+", rest.lower())):
        return None  # "don't reopen 4104, close it instead"
    return negated[0].lower()


def _acts(operation: ApiOperationTool, word: str) -> bool:
    """Whether `word` is a verb of the operation's own action: one its id, summary or description opens with
    ("cancel", "book"; "delete" as cancel), or the verb of a state it sets ("close", "reopen")."""
    word = word.lower()
    stem = _stem(SAME_ACTION.get(word, word))
    if any(_stem(verb) == stem for verb in _opening_verbs(operation)):
        return True
    required = set(operation.parameters.get("required") or ())
    return any(enum_words(value, verb=True).fullmatch(word) for name, schema in
               (operation.parameters.get("properties") or {}).items() if name in required
               for value in schema.get("enum") or () if isinstance(value, str))


def named_change(request: str, tool: str, tools: Mapping[str, Tool]) -> str | None:
    """Another change on the same records whose action the verb `request` opens with names, where `tool`, the
    change the router chose, does not name it: "cancel my leave next friday, I'm E1006" is cancelLeaveRequest's,
    not createLeaveRequest's, which had sent a new day of unpaid leave. None where `tool` names the verb, no other
    change does, or several do."""
    operation = tools.get(tool)
    verb = _first_word(request)
    if verb is None or not isinstance(operation, ApiOperationTool) or not operation.side_effects \
            or _names(operation, SAME_ACTION.get(verb, verb)):
        return None
    named = [other.name for other in _same_records(operation, tools) if other.side_effects and other is not operation
             and verb in map(str.lower, _opening_verbs(other))]
    return named[0] if len(named) == 1 else None


def unsure_change_reply(tools: Mapping[str, Tool]) -> str:
    """The answer to a request the router placed at a change only by a small margin: most often a change no
    operation makes ("book me a flight to Berlin" placed at createLeaveRequest). Nothing was sent, and the reply
    lists the changes the catalog can make."""
    listed = _listed(_changes(tools))
    return f"I haven't done anything: that doesn't look like a change I can make. The changes I can make: " \
           f"{listed}. If you meant one of them, say which, with its details."


#: Below this no-call probability the router's classifier was sure a message wants a call.
SURE_OF_A_CALL = 0.1


def unanswered_question(request: str, tool: str, no_call: float, tools: Mapping[str, Tool]) -> bool:
    """Whether `request` is a question the router's classifier was sure wants an operation (`tool`, at a no-call
    probability under SURE_OF_A_CALL) though its checks found none that can answer it: "is anyone from finance on
    leave next week?" states none of what a leave balance needs, and the model, left to answer alone, had said
    "as a Northwind Labs employee, I don't have the ability to access personal data"."""
    return no_call < SURE_OF_A_CALL and asks(request) and isinstance(tools.get(tool), ApiOperationTool)


def unanswered_reply(tool: str, tools: Mapping[str, Tool]) -> str:
    """The answer to an `unanswered_question` the classifier placed at `tool`: what the catalog can look up on
    the same records (the look-ups whose summaries share a noun with `tool`'s), or every look-up."""
    chosen = tools[tool]
    assert isinstance(chosen, ApiOperationTool)
    near = [other for other in _same_records(chosen, tools) if not other.side_effects] or \
        [other for other in tools.values() if isinstance(other, ApiOperationTool) and not other.side_effects]
    listed = f" What I can look up there: {_listed(near)}." if near else ""
    return f"I couldn't find a look-up in the API that answers that, so I haven't looked anything up.{listed}"


def needed_id(request: str, tool: Tool, said: Sequence[str], today: date | None) -> str | None:
    """The id a change by `tool` needs first (`codes.record_ids`: the record's, the person's), where `request`
    asks for that change in its verb (`_names_its_verb`: "cancel", "open a ticket") rather than about it, states
    none of what it takes (`operation_fit.states_nothing`) and no text of `said` (the chat's user messages and
    tool results) writes a number; None otherwise, and for an operation that takes no id. News or chat that the
    router placed next to a change ("just got back from a week of skiing, inbox is a disaster") names no verb of
    it and is the model's to answer."""
    if not isinstance(tool, ApiOperationTool) or asks(request) or not _names_its_verb(tool, request) \
            or not states_nothing(tool.parameters, request, today) or any(map(writes_a_digit, said)):
        return None
    return next(iter(record_ids(tool.parameters)), None)


def _names_its_verb(operation: ApiOperationTool, request: str) -> bool:
    """Whether `request` writes a verb the operation's id, summary or description opens with ("open" for "Open a
    new IT ticket"), or a word staff write for it (`SAME_ACTION`: "delete" for cancel)."""
    verbs = {_stem(word) for word in _opening_verbs(operation)}
    return any(_stem(SAME_ACTION.get(word, word)) in verbs for word in re.findall(r"[a-z]+", request.lower()))


def _opening_verbs(operation: ApiOperationTool) -> list[str]:
    """The words the operation's id, summary and description open with: "cancel" of cancelLeaveRequest."""
    texts = [operation.operation.summary, operation.operation.description]
    return [word for word in [*re.findall(r"[A-Z]?[a-z]+", operation.operation.operation_id)[:1],
                              *map(_first_word, texts)] if word]


def needed_id_reply(tool: Tool, name: str) -> str:
    """The answer asking for `name`, the id `tool`'s change needs: "To cancel a leave request I need the request
    id: which request?" """
    summary = tool.operation.summary if isinstance(tool, ApiOperationTool) else tool.name
    return f"To {summary[:1].lower()}{summary[1:].rstrip('.')} I need the {name.replace('_', ' ')}: " \
           f"which {record_word(name)}?"


def _on_a_record(operation: ApiOperationTool) -> bool:
    """Whether the operation acts on a record that exists: one it names in its path and changes."""
    required = set(operation.parameters.get("required") or ())
    return operation.side_effects and any(
        place == "path" and name in required for name, place in operation.operation.locations.items())


def _names(operation: ApiOperationTool, verb: str) -> bool:
    """Whether the operation's own words name `verb` (`_stem`s compared): the verbs its operationId, summary and
    description open with and, where it changes something, the verbs its example requests open with, its
    arguments' names, the values they set ("resolved") and the words of a yes-or-no argument's description
    ("notify_customer": whether the customer gets an email). A look-up's words filter: listLeaveRequests'
    "approved" and its example "rejected ones from last month?" approve and reject nothing."""
    words = _opening_verbs(operation)
    if operation.side_effects:
        words += [_first_word(text) for text in operation.examples]
        for name, schema in (operation.parameters.get("properties") or {}).items():
            words += re.split(r"[\W_]+", name)
            words += [word for value in schema.get("enum") or () if isinstance(value, str)
                      for word in re.split(r"[\W_]+", value)]
            if schema.get("type") == "boolean":
                words += re.findall(r"[a-z]+", str(schema.get("description", "")).lower())
    stem = _stem(verb)
    return any(_stem(word) == stem for word in words if word)


def _stem(word: str) -> str:
    """`word` without the ending of a verb's forms: approve, approved, approves -> approv; cancelled -> cancel."""
    word = word.lower()
    if word.endswith(("lling", "lled")):  # a doubled l: cancelling, cancelled
        return word[: -4 if word.endswith("ling") else -3]
    for ending in ("ing", "ed", "es", "e", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


#: Words of a summary that say nothing of which records it is about.
_NOT_NOUNS = frozenset({"a", "an", "the", "of", "for", "to", "on", "in", "or", "and", "one", "with", "its", "new",
                        "only", "optionally", "employee", "remaining", "status", "free", "ones", "day"})


def _nouns(summary: str) -> set[str]:
    """The words after the verb of an operation's summary that name its records, stemmed: "Cancel a leave
    request" -> leav, request; "Get a shipment's status and tracking history" -> shipment, track, history."""
    words = re.findall(r"[a-z]+", re.sub(r"'s\b", "", summary.lower()))[1:]
    return {_stem(word) for word in words} - {_stem(word) for word in _NOT_NOUNS}

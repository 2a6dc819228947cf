"""A call's arguments as sent: the model's, settled against what the conversation says.

While the model writes a call, the argument grammar and the engine's masks keep it valid JSON for the schema
and within the ids, figures and words the conversation states. What it then leaves out, writes otherwise or
adds on its own is settled here, before the call is sent: from the request's own words (`assistant.slots`),
its phrases (`assistant.copying`), what the conversation said at all (`assistant.claims`) and, for a choice
nobody named, its meaning (`assistant.enums`). Each change is logged.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from assistant.claims import unstated_arguments, unstated_record_fields
from assistant.codes import named_id_arguments
from assistant.config import GenerationConfig
from assistant.copying import uncopied, unlabelled, whole_phrases
from assistant.enums import Similarities, glossed_options, nearest_enums
from assistant.lines import stated_lines
from assistant.message_kinds import sentences
from assistant.named_search import asked_states, named_arguments
from assistant.slots import is_question, stated_arguments, states_asked_after
from assistant.unsaid import (
    copied_requests,
    empty_arguments,
    forgotten_filters,
    idle_texts,
    lines_without_when_figures,
    past_for_ahead,
    priced_for_when_figures,
    undated,
    unsaid_dates,
    unsaid_flags,
    when_figures,
)
from assistant.word_problems import asked_decimals, composed_expression
from tools.base import Tool
from tools.calculator import Calculator
from tools.catalog import ApiOperationTool
from tools.lexical import keywords
from tools.retrieval import SearchTool

log = logging.getLogger(__name__)


def settled_arguments(
    arguments: dict[str, Any], tool: Tool, generation: GenerationConfig, *, request: str, said: str, today: date,
    similarities: Similarities | None = None,
) -> dict[str, Any]:
    """The call's arguments as sent: the model's, less empty optional strings, the filters nobody stated (in `said`,
    the conversation's user messages and tool results) and optional free text in words nobody said, plus what
    `request` (the person's message) states in so many words (for a call with side effects, its free text as the
    request's whole phrase; an optional choice in its gloss's words), less free text saying only what the call says,
    less a look-up's free-text filter that copies the request (checked last, since it is only left out while another
    argument filters), with the required choices nobody named taken by meaning (`similarities`: the router's
    embedder, None without one); a search looks for the whole sentences its query copies part of; a calculator's
    expression is the one an everyday word problem's words give, where they give one (`assistant.word_problems`)."""
    arguments = _without(arguments, empty_arguments(arguments, tool.parameters), tool, "empty")
    if generation.drop_unstated_arguments:
        arguments = _without(arguments, unstated_arguments(arguments, tool.parameters, said), tool, "stated nowhere")
        arguments = _with(arguments, unstated_record_fields(arguments, tool.parameters, said), tool,
                          "with record fields stated nowhere left out")
        arguments = _without(arguments, idle_texts(arguments, tool.parameters), tool, "saying nothing")
        if generation.copy_free_text:
            arguments = _without(arguments, uncopied(arguments, tool.parameters, said), tool, "words nobody said")
        arguments = _without(arguments, repeated_codes(arguments, tool.parameters), tool,
                             "another argument's id repeated")
        arguments = _without(arguments, undated(arguments, tool.parameters, request, today), tool,
                             "no when was said, or a far year nobody wrote")
        arguments = _without(arguments, when_figures(arguments, tool.parameters, request, today), tool,
                             "a figure of a time of day or a date")
        arguments = _with(arguments, lines_without_when_figures(arguments, tool.parameters, request, today), tool,
                          "less figures of a time of day or a date")
        arguments = _with(arguments, priced_for_when_figures(arguments, tool.parameters, request, today), tool,
                          "the amount written beside its currency, not a date's figure")
        arguments = _without(arguments, unsaid_flags(arguments, tool.parameters, request, tool.side_effects), tool,
                             "a flag nobody said")
    if generation.complete_stated_arguments:
        stated = stated_arguments(arguments, tool.parameters, request, today) | \
            stated_lines(arguments, tool.parameters, request)
        glossed = glossed_options(arguments, tool.parameters, request, tool.glosses)
        stated |= {name: value for name, value in glossed.items() if name not in stated}
        if isinstance(tool, ApiOperationTool):  # "in venlo": the id the catalog's examples write beside it
            examples = [text for operation in tool.catalog.operations for text in operation.examples]
            named = named_id_arguments({**arguments, **stated}, tool.parameters, request, examples)
            stated |= {name: value for name, value in named.items() if name not in stated}
        if tool.side_effects and generation.copy_free_text:  # a record's title: the request's phrase
            phrases = whole_phrases({**arguments, **stated}, tool.parameters, request, today, said=said,
                                    action=tool.name.removeprefix('api.'))
            stated |= {name: phrase for name, phrase in phrases.items() if name not in stated}
        arguments = _with(arguments, stated, tool, "as the request states")
    if generation.drop_unstated_arguments:  # after what the request states: "forget the cold store" names it
        arguments = _without(arguments, forgotten_filters(arguments, tool.parameters, request), tool,
                             "a filter the request lets go of")
    if generation.complete_stated_arguments:
        arguments = _with(arguments, unlabelled(arguments, tool.parameters), tool, "without the words to the assistant")
        if generation.drop_unstated_arguments:
            arguments = _without(arguments, unsaid_dates(arguments, tool.parameters, request, today), tool,
                                 "the other end of a range the request leaves open")
            arguments = _without(arguments, idle_texts(arguments, tool.parameters, _subject(tool)), tool,
                                 "saying only what the call says")
            arguments = _without(arguments, past_for_ahead(arguments, tool.parameters, request, today), tool,
                                 "a day told as past for one looked forward to")
    if generation.drop_unstated_arguments and not tool.side_effects:
        arguments = _without(arguments, copied_requests(arguments, tool.parameters, request), tool,
                             "a copy of the request")
    if generation.complete_stated_arguments and isinstance(tool, ApiOperationTool) and not tool.side_effects:
        arguments = _with(arguments, named_arguments(arguments, tool.name, tool.parameters, request), tool,
                          "the name the request looks up")
        arguments = _without(arguments, asked_states(arguments, tool.name, tool.parameters, request), tool,
                             "a state asked of the name looked up, not a filter")
        arguments = _without(arguments, states_asked_after(arguments, tool.parameters, request), tool,
                             "a state asked after, not a filter")
    if generation.nearest_enum_values and similarities is not None:
        try:
            chosen = nearest_enums(arguments, tool.parameters, request, similarities, tool.glosses, _subject(tool))
        except Exception:  # the call goes as the model wrote it if the embedder fails
            log.exception("choosing enum values by meaning failed; the call keeps the model's")
            chosen = {}
        arguments = _with(arguments, chosen, tool, "taken by meaning")
    if generation.search_whole_sentences and tool.name == SearchTool.name:
        query = searched_sentences(arguments.get("query"), request, tool.parameters)
        if query is not None:
            arguments = _with(arguments, {"query": query}, tool, "the whole sentences it copies part of")
    if generation.compose_word_problems and tool.name == Calculator.name:
        composed = composed_expression(request)
        written = arguments.get("expression")
        if composed is not None and composed != written:
            arguments = _with(arguments, {"expression": composed}, tool, "as the word problem reads")
        elif composed is None and isinstance(written, str) and written.strip() and \
                (digits := asked_decimals(request)) is not None and not written.lstrip().startswith("round("):
            # "what % of target have we hit? 2 decimals": the model's sum, rounded as asked
            arguments = _with(arguments, {"expression": f"round({written}, {digits})"}, tool, "rounded as asked")
    return arguments


def searched_sentences(query: Any, request: str, schema: dict[str, Any]) -> str | None:
    """The sentences of `request` that a search's `query` copies part of, less the last one's closing mark, when
    the query holds no keyword the request does not and they say more than it (within the query's maxLength);
    else None. A question's topic and what it asks are often two clauses of one sentence, and the model copies
    one of them: "lost my badge again" for "lost my badge again, does a new one cost anything", "is there one
    set aside for that" for "which room should i use for an interview, is there one set aside for that". Where
    they are two sentences and the copied ones ask nothing, the questions come too: "a forklift nearly hit
    someone earlier, nobody hurt" for "... nobody hurt. do i still have to report it, and by when?". When they do
    not fit the query's maxLength, the questions do, after as many of the words before them as fit."""
    if not isinstance(query, str) or not (terms := set(keywords(query))) <= set(keywords(request)):
        return None
    parts = sentences(" ".join(request.split()))
    copied = [sentence for sentence in parts if terms & set(keywords(sentence))]
    if copied and not any(is_question(sentence) for sentence in copied):
        copied = [sentence for sentence in parts if sentence in copied or is_question(sentence)]
    whole = " ".join(copied).rstrip("?!. ")  # a query is written without its question mark
    limit = ((schema.get("properties") or {}).get("query") or {}).get("maxLength", len(whole))
    asked = " ".join(sentence for sentence in copied if is_question(sentence)).rstrip("?!. ")
    if len(whole) > limit and asked and len(asked) < limit:
        # too long whole: the questions, after as many of the words before them as fit ("venlo cold store logger
        # showed 9 degrees for like 40 min overnight. can quality still release the goods if they look fine?")
        before = " ".join(sentence for sentence in copied if not is_question(sentence)).rstrip("?!.,;: ").split()
        while before and len(" ".join(before)) + 2 + len(asked) > limit:
            before.pop()
        whole = f"{' '.join(before)}. {asked}" if before else asked
    return whole if len(whole) > len(query.strip()) and len(whole) <= limit else None


def repeated_codes(arguments: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """The optional arguments that repeat a code (a value with a digit) another argument of the call holds: a
    truck's plate written as the booking's warehouse ("truck_plate": "WH-02") or shipment; one id the request
    states names one thing."""
    required = set(schema.get("required") or [])
    codes: dict[str, list[str]] = {}
    for name, value in arguments.items():
        if isinstance(value, str) and any(char.isdigit() for char in value):
            codes.setdefault(value.casefold(), []).append(name)
    return [name for names in codes.values() if len(names) > 1 and any(name in required for name in names)
            for name in names if name not in required]


def _subject(tool: Tool) -> str:
    """The words that name what a call does: its operation's name and the first sentence of its description."""
    return f"{tool.name.removeprefix('api.')} {tool.description.split('.')[0]}"


def _without(arguments: dict[str, Any], names: list[str], tool: Tool, why: str) -> dict[str, Any]:
    if names:
        log.info("left out of the %s call, %s: %s", tool.name, why,
                 ", ".join(f"{name}={arguments[name]!r}" for name in names))
    return {name: value for name, value in arguments.items() if name not in names}


def _with(arguments: dict[str, Any], values: dict[str, Any], tool: Tool, why: str) -> dict[str, Any]:
    if values:
        log.info("set on the %s call, %s: %s", tool.name, why,
                 ", ".join(f"{name}={value!r}" for name, value in values.items()))
    return {**arguments, **values}

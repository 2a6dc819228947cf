"""The tool router: whether a turn opens with a call, and with which tool, from the question's sentence embedding.

A small model writes toolkens reliably for questions shaped like its training templates and much less for
questions as staff write them ("is ticket 4104 sorted yet"). A sentence embedder was
trained on paraphrases; a multinomial logistic regression over its embedding, fitted in seconds on the build's
questions, the catalog's operation descriptions and the documents' passages (`finetune.router_fit`), carries
the decision to phrasings the templates never had (Toolken+ reranks toolkens with tool documentation in the same
spirit). Its labels are the tool names and `NO_CALL`.

The engine asks it once per turn, before the first token: when the probability of `NO_CALL` is under the
router's threshold, the turn opens with the likeliest tool's toolken, forced, and the model writes the
arguments; otherwise the opening has no call (unless the claim guard sees a result-shaped opening). The
threshold is chosen on the build's held-out split when the router is fitted.

Checks then correct whether it calls and which tool it names, each from evidence the classifier does not weigh:
- the calculator works on figures the conversation states: with no figure in it (a digit or a number word),
  the calculator is not a candidate ("how much does a replacement badge cost?" asks the handbook), nor for a
  question for a person, which no amount answers ("who has to sign off a write-off worth around 3k euros?"); and
  a word problem names no records: a request the classifier sends to the calculator that writes out an id an
  operation takes (SKU-27714) goes to that operation, a look-up when the sentence naming it asks;
- a policy question names the same things as the operation that handles them ("within how many days must I
  submit an expense claim?" vs `submitExpense`): when the question is nearer (cosine) to a passage of the
  documents, or to one statement of a passage (`tools.focus`), than to every example request of the operation
  it would call (the build's questions for it,
  its `x-examples` and its description), it opens with `search` instead (Toolken+ reranks the same way with
  tool documentation), unless the request states STATED_REQUEST or more of the operation's arguments or orders a
  name looked up that the operation takes ("can you find noah fischer for me?"); and a
  message that opens with sentences naming a record and asks a question after them ("SHP-205077 is 3 days
  late, mark it delayed. is that over the limit ...?") is routed on those sentences when the whole would
  search or call nothing;
- a sentence embedding weighs nouns and hardly verbs ("Close IT ticket 4104" sits beside getTicket's
  requests): among the operations it rates near the likeliest one, the one whose arguments the request
  states more of (`assistant.slots.stated_count`: an id, a date, an enum value, the state an update sets)
  takes the call, and a look-up whose verb opens the request as an order ("then list everything still in
  progress") takes it from a change whose verb the request does not write;
- a question changes nothing it does not state: when the request asks rather than requests ("SHP-207391
  delivered yet?", "do i have any leave left? E1003") and the operation it would call has side effects and a
  required argument the request leaves for the call to make up (the status to set, the leave's dates), a
  look-up of the same records whose required arguments it does state takes the call (getShipment); with no
  such look-up, a search does when a passage comes near, as it does for a question for how long, by when or who
  whatever change's verb it writes ("PO-207731 came out at around 32k euros, who needs to approve it?", "how long
  have i got to file the damage report?"): a change answers no question;
- a message's kind (`assistant.message_kinds`), which an embedding of its topic hardly shows: news or thanks
  that asks for nothing ("yay my leave request 507 got approved!!") opens no call, and a question about what
  staff may or must do ("up to what value am i allowed to keep a gift?") near a passage searches, unless it
  names a record; the assistant's own view asked for ("hypothetically, ...") opens no call unless it names a
  record, and a general question about a term the documents never use ("what's dwell time?") does not search;
- what a question states: one the classifier would answer without a tool that states two or more of a look-up's
  arguments and no figure calls it ("who can do adr to poland": listCarriers), as does one that names a record a
  look-up reads by its id's pattern ("do you think SHP-207391 makes it today?": getShipment) or asks who is in a
  team that names one of a look-up's choices ("who's in the people team": searchDirectory); a word problem whose
  words give its sum (`assistant.word_problems`) goes to the calculator, not the handbook.

What a request states of each operation, the verb it writes and the ids it names are read by
`assistant.operation_fit`; the message's kind by `assistant.message_kinds`.

The router also keeps worked examples of the calculator from its build (question, call, result, answer): a
turn that opens with the calculator gets the three whose questions are nearest its own before it, in the
prompt only (`generation.worked_examples`), so a multi-step word problem follows a solved one of its kind.

The fitted weights live in the adapter folder as `router.json` (plain numbers and texts: nothing is unpickled),
with a probe embedding that must match the embedder it is served with.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from assistant.codes import named_id_arguments, stated_codes
from assistant.message_kinds import (
    asks_a_meaning,
    asks_for_advice,
    asks_for_an_amount,
    asks_for_the_rule,
    asks_how_it_works,
    asks_how_long_or_who,
    asks_how_many,
    asks_what_follows,
    asks_what_it_brings,
    asks_who,
    follow_up,
    general_question,
    limit_question,
    names_a_record,
    opinion,
    question_after_records,
    reaction,
    record_sentences,
    requests_something,
    rule_question,
    states_a_figure,
    text_work,
    wants_no_lookup,
    word_count,
    world_fact,
)
from assistant.named_search import a_choice_somewhere, name_argument, name_lookup, ordered_name
from assistant.operation_fit import (
    CALCULATOR,
    SEARCH,
    STATED_LOOKUP,
    named_in_words,
    new_record_ordered,
    operation_named_by_id,
    ordered_look_up,
    read_instead,
    reader_named_in_full,
    reader_of_named_record,
    record_unnamed,
    requested_in_words,
    stated_lookup,
    states_nothing,
    takes_more_of_the_request,
    team_looked_up,
    writes_a_digit,
)
from assistant.slots import asks, is_question, stated_count, unstated_required
from assistant.spelling import Speller
from assistant.tool_prior import ToolPrior, fitted_with, load_tool_prior
from assistant.word_problems import arithmetic, composed_expression
from tools.base import Tool
from tools.lexical import keywords

ROUTER_FILE = "router.json"
ROUTER_VERSION = 1
#: The label of questions that need no tool.
NO_CALL = "(none)"
#: Embedded at fit time and again at load time: the same embedder gives (nearly) the same vector.
PROBE_TEXT = "Which tool answers this question?"
#: Cosine similarity of the two probe embeddings below which the embedder is taken to be another one.
SAME_EMBEDDER = 0.99
#: How many of an operation's arguments a message states for it to be a request for that operation, however
#: near a document passage comes ("portex pickup for SHP-205187 at venlo WH-04 next tuesday 9:00, 30 mins ... btw
#: is it true a truck loses its slot if its 30 min late?" states five of a dock booking's).
STATED_REQUEST = 3
#: The tool prior's probability (`assistant.tool_prior`) under which a call the router would open does not open,
#: unless the message asks for it in words (`_asked_in_words`). On two fresh development sets (demo `desk4`, Harbor
#: `eval_mix`: 120 no-call messages, 80 requests; the prior fitted without them) 0.3 / 0.4 / 0.5 took back 12 / 16 /
#: 21 of the 36 calls opened on no-call messages and no right call; on the older development sets, each half
#: weighed by a prior fitted on the other, they took back 5 / 9 / 10 of about 1,650 right calls and righted 2 / 2 / 3.
TOOL_PRIOR_FLOOR = 0.5
#: How near (cosine) the documents' nearest passage or statement must come to a general question (see
#: `general_question`) for a search: below it the documents do not discuss the term, and the turn needs no tool
#: (the handbook has no entry on "the bullwhip effect"). Handbook questions of that shape came 0.43 or nearer.
GENERAL_FLOOR = 0.45
#: How near (cosine) the documents' nearest passage must come to a request the classifier would answer without a
#: tool for the turn to search anyway: a question that close to the handbook is the handbook's ("preferred hotel
#: in berlin" 0.66, "from which day of being sick do i need a doctors note" 0.60). On the development sets no
#: request that needs no tool came this near, unless it was a general question (kept to GENERAL_FLOOR's rule).
HANDBOOK_NEAR = 0.55
#: How near (cosine) the documents' nearest passage must come to a question about what staff may or must do (see
#: `rule_question`) for a search the classifier did not choose: such questions came 0.40-0.54 from their passage
#: ("when am i supposed to take the train rather than fly" 0.40) where the classifier answered them without a tool.
RULE_FLOOR = 0.38
#: The words a general question is framed with rather than the term it asks about ("is a reach truck basically
#: the same as a counterbalance forklift"): stemmed as `tools.lexical.keywords` stems them.
_FRAMING = frozenset(keywords(
    "actually anyway basically define definition difference different exactly explain general generally like mean "
    "meaning means really same simple simply speaking stand stands term terms thing things typical typically usual "
    "usually normally versus vs word words not or"))
#: What a message asks, from its first question word to the end of that sentence.
_ASKED = re.compile(r"\b(?:what|what's|whats|which|who|whose|where|when|how|any|anything|is|are|do|does|did)\b[^.?!]*",
                    re.IGNORECASE)
#: A text -> its keywords that the documents never use (`tools.retrieval.SearchTool.unknown_words`).
UnknownWords = Callable[[str], Sequence[str]]
#: Texts -> unit-length embeddings, one row per text. `tools.retrieval.Embedder.embed` is one.
Embed = Callable[[Sequence[str]], Sequence[Sequence[float]]]
#: The whole words an embedder reads as themselves (`tools.retrieval.Embedder.words`).
Words = Callable[[], Collection[str]]
#: A question's embedding -> the cosine similarity of the nearest document passage (None: no documents).
NearestPassage = Callable[[Sequence[float]], float | None]


class RouterMismatch(ValueError):
    """A router.json that cannot be served here: another format version or another embedder."""


@dataclass(frozen=True)
class Route:
    """The router's verdict on one turn."""

    no_call: float  # probability that the turn needs no tool
    tool: str  # the tool a call opens with: the likeliest one, unless a check moved the call (`reason`)
    tool_probability: float  # the classifier's probability of `tool`
    call: bool  # open the turn with `tool`'s toolken
    reason: str = ""  # why the call opens with `tool` rather than the classifier's likeliest tool
    #: No call, and the message's kind wants none (news or thanks, an opinion or general question naming no
    #: record): a reply opening like a tool's answer is taken back, not turned into a call.
    settled: bool = False


class ToolRouter:
    """A multinomial logistic regression over sentence embeddings; its labels are tool names and NO_CALL."""

    def __init__(
        self,
        labels: list[str],
        coef: np.ndarray,
        intercept: np.ndarray,
        no_call_threshold: float,
        probe: np.ndarray,
        embed: Embed | None = None,
        report: dict[str, Any] | None = None,
        exemplars: Mapping[str, Sequence[str]] | None = None,
        worked_examples: Mapping[str, Sequence[list[dict[str, Any]]]] | None = None,
        known_words: Collection[str] = frozenset(),
        prior: ToolPrior | None = None,
    ):
        if NO_CALL not in labels or len(labels) < 2:
            raise ValueError(f"a router needs the label {NO_CALL!r} and at least one tool; got {labels}")
        if coef.shape != (len(labels), probe.shape[0]) or intercept.shape != (len(labels),):
            raise ValueError(f"router weights do not fit {len(labels)} labels of dimension {probe.shape[0]}")
        self.labels = labels
        self.coef = coef  # (labels, dim)
        self.intercept = intercept  # (labels,)
        self.no_call_threshold = no_call_threshold
        self.probe = probe  # (dim,)
        self.embed = embed
        #: What the fit measured (counts, held-out accuracy), saved beside the weights.
        self.report = report or {}
        #: Per operation, requests it was fitted on (a sample of the build's questions): what a question must be
        #: nearer to than to the documents for the call to stay with that operation.
        self.exemplars = {tool: list(texts) for tool, texts in (exemplars or {}).items()}
        #: Per tool, training conversations that call it (OpenAI-style messages: question, call, result, answer):
        #: the nearest go before a question the turn opens with that tool for.
        self.worked_examples = {tool: [list(messages) for messages in conversations]
                                for tool, conversations in (worked_examples or {}).items()}
        self._embedded: dict[str, np.ndarray] = {}  # text -> its embedding, for exemplars
        #: Words the embedder reads whole, which stay as written though the exemplars lack them.
        self.known_words = known_words
        self._speller: Speller | None = None  # made from the exemplars when first needed
        #: Whether a message wants a tool at all, fitted on two companies' hand-written messages (None: not weighed).
        self.prior = prior

    @property
    def speller(self) -> Speller:
        """Mends typing slips against the words of the requests the router was fitted on (`assistant.spelling`)."""
        if self._speller is None:
            worked = (str(conversation[0].get("content") or "") for conversations in self.worked_examples.values()
                      for conversation in conversations if conversation)
            self._speller = Speller([*(text for texts in self.exemplars.values() for text in texts), *worked],
                                    known=self.known_words)
        return self._speller

    @property
    def tools(self) -> list[str]:
        return [label for label in self.labels if label != NO_CALL]

    def probabilities(self, texts: Sequence[str], tools: Collection[str]) -> list[dict[str, float]]:
        """Per text, the probability of each of `tools` the router knows and of NO_CALL (summing to 1)."""
        return self._probabilities(self._embed(texts), tools)

    def _probabilities(self, vectors: np.ndarray, tools: Collection[str]) -> list[dict[str, float]]:
        keep = [i for i, label in enumerate(self.labels) if label == NO_CALL or label in tools]
        logits = vectors @ self.coef[keep].T + self.intercept[keep]  # (texts, kept labels)
        logits -= logits.max(axis=1, keepdims=True)
        weights = np.exp(logits)
        weights /= weights.sum(axis=1, keepdims=True)
        return [{self.labels[i]: float(row[j]) for j, i in enumerate(keep)} for row in weights]

    def route(
        self,
        texts: Sequence[str],
        tools: Collection[str],
        examples: Mapping[str, Sequence[str]] | None = None,
        nearest_passage: NearestPassage | None = None,
        checks: bool = True,
        schemas: Mapping[str, dict[str, Any]] | None = None,
        today: date | None = None,
        changes: Collection[str] = (),
        reads: Collection[str] = (),
        unknown_words: UnknownWords | None = None,
        prior: bool = True,
    ) -> Route:
        """The verdict for a turn described by `texts` (see `router_texts`): the message alone where it asks for a
        call, else the text that most needs a tool, so a short follow-up read with the question before it still
        gets its call.

        `examples` adds, per tool, example requests to the fitted exemplars (a catalog's `x-examples` as the
        engine serves them now); `nearest_passage` scores the documents (None: the search check is off);
        `schemas` gives the tools' argument schemas (None: the stated-arguments check is off), `today` what
        dates said in words mean there ("monday to wednesday next week" states a leave request's two dates);
        `changes` names the tools with side effects, `reads` the look-ups of records (an API's reading
        operations; a local tool computes rather than reads); `unknown_words` gives the keywords of a text the
        documents never use (None: a general question's terms are not looked up); `prior` off: the tool prior is
        not weighed.
        `checks` off: the classifier's verdict alone, as bench/router_levers.py compares it.
        """
        verdict = self._verdict(texts, tools, examples, nearest_passage, checks, schemas, today, changes, reads,
                                unknown_words, prior)
        asked_first = record_sentences(texts[0]) if checks and schemas is not None and (
            not verdict.call or verdict.tool == SEARCH) else None
        if asked_first is None:
            return verdict
        # "SHP-205077 is 3 days late, mark it delayed. is that over the limit ...?": the request names the record
        # and the question after it would draw the embedding to the handbook
        part = self._verdict([asked_first, *texts[1:]], tools, examples, nearest_passage, checks, schemas, today,
                             changes, reads, unknown_words, prior)
        if not part.call or part.tool in (SEARCH, CALCULATOR) or part.tool not in schemas or \
                part.tool in {*changes, *reads} and not requested_in_words(part.tool, schemas[part.tool], asked_first,
                                                                           changes, reads):
            return verdict  # "SUP-0417 is asking for 30 day payment terms. who has to ok that?" asks for no call
        reason = f"the sentences naming a record ask for {part.tool}, the question after them is the reply's"
        return replace(part, reason="; ".join(filter(None, [reason, part.reason])))

    def _verdict(
        self,
        texts: Sequence[str],
        tools: Collection[str],
        examples: Mapping[str, Sequence[str]] | None,
        nearest_passage: NearestPassage | None,
        checks: bool,
        schemas: Mapping[str, dict[str, Any]] | None,
        today: date | None,
        changes: Collection[str],
        reads: Collection[str],
        unknown_words: UnknownWords | None,
        prior: bool,
    ) -> Route:
        """`route`'s verdict on `texts` as they are."""
        vectors = self._embed([self.speller.mended(text) for text in texts])  # (texts, dim)
        rows = self._probabilities(vectors, tools)
        # the message alone decides where it asks for a call: read with the one before, another call may win
        best = 0 if rows[0][NO_CALL] < self.no_call_threshold else min(range(len(rows)), key=lambda i: rows[i][NO_CALL])
        row = rows[best]
        candidates = {label: p for label, p in row.items() if label != NO_CALL}
        reasons = []
        if checks and CALCULATOR in candidates and len(candidates) > 1:
            unfit = "no figure to calculate with" if not any(map(states_a_figure, texts)) else \
                "a question for a person, not an amount" if asks_who(texts[0]) else None
            if unfit is not None:
                del candidates[CALCULATOR]
                reasons.append(unfit)
        if not candidates:
            return Route(no_call=1.0, tool="", tool_probability=0.0, call=False)
        tool = max(candidates, key=candidates.__getitem__)
        named = operation_named_by_id(candidates, schemas, texts[0], today, changes) \
            if checks and schemas is not None and tool == CALCULATOR else None
        ordered = new_record_ordered(texts[0], [tool for tool in changes or () if tool in candidates]) \
            if checks and named is None and tool == CALCULATOR and composed_expression(texts[0]) is None else None
        if named is not None:
            reasons.append(f"the request writes out an id {named} takes: no word problem")
            tool = named
        elif ordered is not None:  # "ok open a ticket then, need a 27 inch monitor for home, low prio"
            reasons.append(f"the request orders a new record {ordered} makes: no word problem")
            tool = ordered
        elif checks and schemas is not None and tool not in (SEARCH, CALCULATOR):
            # a question is read first: the look-up it asks for may state less than the change it names
            reader = read_instead(tool, candidates, schemas, changes, texts[0], today)
            if reader is None:
                takes_more = takes_more_of_the_request(tool, candidates, schemas, texts[0], today, changes)
                if takes_more is not None:
                    more = stated_count(schemas[takes_more], texts[0], today) > \
                        stated_count(schemas[tool], texts[0], today)
                    reasons.append(f"{takes_more} takes more of what the request states than {tool}" if more
                                   else f"{takes_more} makes up less of what the request leaves unstated than {tool}")
                    tool = takes_more
                    reader = read_instead(tool, candidates, schemas, changes, texts[0], today)
            if reader is not None:
                reasons.append(f"the request asks, and {tool} would make up what it does not state")
                tool = reader
            elif (listed := ordered_look_up(tool, schemas, changes, texts[0])) is not None:
                reasons.append(f"the request orders {listed} by its verb, not {tool}'s change")
                tool = listed
        passage = nearest_passage(vectors[best].tolist()) if checks and nearest_passage is not None else None
        if SEARCH in candidates and tool not in (SEARCH, CALCULATOR) and passage is not None and named is None and \
                not (schemas is not None and tool in schemas
                     and (stated_count(schemas[tool], texts[0], today) >= STATED_REQUEST
                          or name_argument(schemas[tool]) is not None
                          and ordered_name(texts[0], schemas[tool], tool) is not None)):
            request = self._nearest_exemplar(vectors[best], tool, (examples or {}).get(tool, ()))
            if request is not None and passage > request:
                reasons.append(f"a document passage ({passage:.2f}) is nearer than any request for {tool} "
                               f"({request:.2f})")
                tool = SEARCH
        no_call = row[NO_CALL]
        call = no_call < self.no_call_threshold
        if call and checks and schemas is not None and tool in changes and SEARCH in candidates and \
                passage is not None and passage >= RULE_FLOOR and asks(texts[0]) and \
                unstated_required(schemas[tool], texts[0], today) and \
                stated_count(schemas[tool], texts[0], today) < STATED_REQUEST and \
                (asks_how_long_or_who(texts[0]) or not requests_something(texts[0])
                 and not requested_in_words(tool, schemas[tool], texts[0], changes, reads)):
            # "PO-207731 came out at around 32k euros, who needs to approve it?": a change answers no question, and
            # one it would make up the arguments of (no look-up of its records took the call above) is the
            # handbook's when a passage is near
            reasons.append(f"a question {tool} answers none of, near a passage ({passage:.2f}): search")
            tool = SEARCH
        if not call and checks and SEARCH in candidates and passage is not None and passage >= HANDBOOK_NEAR \
                and not general_question(texts[0]):
            reasons.append(f"a document passage ({passage:.2f}) is as near as a handbook question's: search")
            tool, call = SEARCH, True
        if not call and checks and schemas is not None and not general_question(texts[0]) and \
                not reaction(texts[0]) and (is_question(texts[0]) or requests_something(texts[0])) and \
                not states_a_figure(texts[0]):  # "hiya can u check wat swifthaul has in transit atm" asks too
            lookup = stated_lookup(candidates, schemas, changes, texts[0], today)
            if lookup is not None:
                reasons.append(f"the question states {STATED_LOOKUP} or more of what {lookup} reads by")
                tool, call = lookup, True
            elif (team := team_looked_up(candidates, schemas, changes, texts[0], today)) is not None:
                reasons.append(f"the question asks who is in a team {team} reads by")
                tool, call = team, True
            elif tool in reads and tool in schemas and candidates[tool] > row[NO_CALL] and \
                    (asked := _ASKED.search(texts[0])) and stated_count(schemas[tool], asked.group(), today):
                # "what's delayed at the moment": the look-up rated above no call, and the question states its filter
                # ("tideway late AGAIN, what is wrong with them" asks nothing of the kind)
                reasons.append(f"the question states what {tool}, rated above no call, reads by")
                call = True
        if not call and checks and schemas is not None and (opinion(texts[0]) or not general_question(texts[0])) \
                and not reaction(texts[0]) and asks(texts[0]):  # "do you think SHP-207391 makes it?" asks its state
            reader = reader_of_named_record(candidates, schemas, changes, texts[0], today)
            if reader is not None:
                reasons.append(f"the question names a record {reader} reads")
                tool, call = reader, True
        if call and checks and tool == SEARCH and schemas is not None and not rule_question(texts[0]):
            reader = reader_named_in_full(candidates, schemas, changes, texts[0], today)
            if reader is not None:
                reasons.append(f"the request names {reader} and states what it reads by: no search")
                tool = reader
        # a look-up naming no record it reads: no digit, or none of its arguments ("PO-207731 came out at around
        # 32k euros, who needs to approve it?" to getShipment)
        record_free = tool not in (SEARCH, CALCULATOR) and (not writes_a_digit(texts[0]) or schemas is not None
                                                           and tool in schemas
                                                           and not stated_count(schemas[tool], texts[0], today))
        # "carrier says SHP-220417 will land 3 working days late. do we have to escalate that to anyone?"
        asked_after = question_after_records(texts[0])
        # a rule's limit or approver asked, where the classifier named a look-up or no call, is the handbook's ("I
        # have a PO of about 20k euros, who needs to approve it")
        if checks and SEARCH in candidates and passage is not None and passage >= RULE_FLOOR \
                and (rule_question(texts[0]) or asks_how_it_works(texts[0])
                     or limit_question(texts[0]) and (tool in reads or not call)) \
                and (not call or record_free or asked_after is not None and rule_question(asked_after)
                     or tool in reads and asks_for_the_rule(texts[0])):
            reasons.append(f"a question about what staff may or must do ({passage:.2f} from the nearest passage): "
                           f"search")
            tool, call = SEARCH, True
        if call and checks and tool == SEARCH and CALCULATOR in candidates and composed_expression(texts[0]):
            reasons.append("a word problem whose words give its sum: no search")
            tool = CALCULATOR  # "full year leave is 28 days. pro rata by month (9 months), how many days"
        if (not call or tool not in (SEARCH, CALCULATOR)) and checks and CALCULATOR in candidates and \
                (asks_for_an_amount(texts[0]) or arithmetic(texts[0]) is not None
                 or asks_how_many(texts[0])) and not reaction(texts[0]) and \
                composed_expression(texts[0]):
            # "SHP-205077 quote came back 1,840 eur + 12.5% fuel surcharge. total pls" had booked a dock slot;
            # "review rating is weighted: goals 50% (scored 4), ... overall score?" and "1860 / 12" had no call;
            # "i get 27 leave days this year and have already taken 11. how many are left?" had read the balance
            reasons.append("a word problem whose words give its sum and ask for it" + (": no API call" if call else ""))
            tool, call = CALCULATOR, True
        if call and checks and tool == SEARCH and passage is not None and passage < GENERAL_FLOOR \
                and general_question(texts[0]):
            reasons.append(f"a general question ({passage:.2f} from the nearest passage): no search")
            call = False
        if call and checks and tool == SEARCH and unknown_words is not None and general_question(texts[0]):
            unused = [word for word in unknown_words(texts[0]) if word not in _FRAMING]
            if unused:
                reasons.append(f"a general question about terms the documents never use ({', '.join(unused)}): "
                               f"no search")
                call = False
        if call and checks and tool == CALCULATOR and (asks_a_meaning(texts[0]) or asks_for_advice(texts[0])
                                                       or world_fact(texts[0])) and \
                composed_expression(texts[0]) is None and arithmetic(texts[0]) is None:
            # "what does 2/10 net 30 mean on an invoice?" had computed 2/10*30, "secret santa ideas under 20 euros?
            # the draw is on the 18th" 18*20
            reasons.append("a general question whose figures make no sum: no calculation")
            call = False
        if call and checks and tool not in (SEARCH, CALCULATOR) and world_fact(texts[0]) and \
                not names_a_record(texts[0]):
            # "is poland in the same time zone as the netherlands?" had listed the warehouses
            reasons.append("a fact about the world, naming no record: no API call")
            call = False
        if call and checks and opinion(texts[0]) and not stated_codes([texts[0]]):
            reasons.append("the assistant's own view asked for, no record named")
            call = False
        # a site named as the catalog's examples name it states its id: "below reorder point in rotterdam" is WH-01's
        if call and checks and schemas is not None and tool in schemas and (
                states_nothing(schemas[tool], texts[0], today)
                and (tool in changes and new_record_ordered(texts[0], [tool]) is None  # "raise a ticket for that"
                     or tool in reads and not named_in_words(schemas[tool], texts[0]))
                or tool in reads and record_unnamed(schemas[tool], texts)) and not named_id_arguments(
                    {}, schemas[tool], texts[0], [text for requests in (examples or {}).values() for text in requests]):
            # a call would make up the record to change or to read ("response time for a high priority ticket?"
            # read ticket 2, "how many days of annual leave do I get per year?" employee E2343's balance); a
            # look-up's question may still be the handbook's
            if (tool not in changes or asks(texts[0])) and SEARCH in candidates and passage is not None and \
                    passage >= GENERAL_FLOOR:
                reasons.append(f"the request states none of what {tool} needs: search")
                tool = SEARCH
            else:
                reasons.append(f"the request states none of what {tool} needs")
                call = False
        if call and checks and reaction(texts[0]):
            reasons.append("news, thanks or a complaint that asks for nothing")
            call = False
        if call and checks and tool in reads and candidates[tool] < no_call and not is_question(texts[0]) and \
                not requests_something(texts[0]) and not writes_a_digit(texts[0]):
            # "just got back from the all-hands, the ceo's slides were actually funny for once" had searched the
            # directory: a look-up rated below no call, for a message that neither asks nor requests
            reasons.append(f"{tool} rated below no call, and the message asks for nothing")
            call = False
        brings = checks and (tool in changes and asks_what_follows(texts[0]) or asks_what_it_brings(texts[0]))
        if call and brings:
            # "will that count as a no show? slot was at 11" had cancelled slot 11
            reasons.append("a question about what the thing just said brings: no call")
            call = False
        no_lookup = checks and (text_work(texts[0]) or wants_no_lookup(texts[0]))
        if call and no_lookup:
            reasons.append("work on a text, or nothing to look up, asked for")
            call = False
        found = name_lookup(candidates, schemas, reads, texts[0]) if checks and schemas is not None and \
            not no_lookup and not reaction(texts[0]) and not opinion(texts[0]) else None
        if found is not None and (
                not call  # "look up lars eriksen", "who is priya": a name sits nearer chat than the look-up
                or tool == SEARCH and unknown_words is not None  # "is nordpak approved?": a name no document uses
                and set(keywords(found[1])) <= set(unknown_words(found[1]))
                # "look up kessler" placed at the carriers' list, which takes no name nor else it says, and kessler
                # is no carrier the catalog knows ("who is nordline" stays there)
                or tool in reads and tool != found[0] and name_argument(schemas.get(tool) or {}) is None
                and stated_count(schemas.get(tool) or {}, texts[0], today) == 0
                and not a_choice_somewhere(found[1], schemas)):
            # a look-up the classifier chose stays: records of other kinds have names too (a carrier's), and no
            # filter for them
            reasons.append(f"the request looks up a record by its name ({found[1]})")
            tool, call = found[0], True
        chat = False  # the prior reads the message as one that wants no tool, and nothing in it asks for the call
        if call and checks and prior and self.prior is not None:
            wants = float(self.prior.probability(vectors[best : best + 1])[0])
            chat = wants < TOOL_PRIOR_FLOOR and not _asked_in_words(tool, texts[0], passage, schemas, today, changes,
                                                                    reads)
        if chat:  # "@mark can you ring the driver for PO-118204", "leave SHP-204611 as it is"
            reasons.append(f"the message reads as one that wants no tool (prior {wants:.2f})")
            call = False
        settled = not call and checks and (chat or brings or
            reaction(texts[0]) or no_lookup or general_question(texts[0]) and not names_a_record(texts[0]))
        return Route(no_call, tool, candidates[tool], call=call, reason="; ".join(reasons), settled=settled)

    def worked_examples_for(self, tool: str, question: str, count: int) -> list[dict[str, Any]]:
        """The `count` worked examples of `tool` whose questions are nearest `question`, as one list of
        messages, the nearest last (next to the question); empty when the router keeps none for `tool`."""
        conversations = self.worked_examples.get(tool) or []
        if count <= 0 or not conversations:
            return []
        questions = [str(conversation[0].get("content") or "") for conversation in conversations]
        similarity = self._embed_exemplars(questions) @ self._embed([question])[0]  # (conversations,)
        nearest = np.argsort(-similarity, kind="stable")[:count][::-1]
        return [message for index in nearest for message in conversations[index]]

    def similarities(self, text: str, labels: Sequence[str]) -> list[float]:
        """The cosine similarity of `text` to each of `labels` (the labels embedded once for the router's
        life)."""
        vector = self._embed([text])[0]
        return [float(value) for value in self._embed_exemplars(list(labels)) @ vector]

    def warm(self, examples: Mapping[str, Sequence[str]] | None = None) -> int:
        """Embed now every tool's requests that the nearness checks weigh (the fitted exemplars and `examples`,
        as `route` is given them), which they would otherwise embed at the first verdict naming that tool: 0.8 s
        for one tool's on a quiet core, seconds while other turns start beside it. Returns how many texts were
        embedded."""
        examples = examples or {}
        texts = list(dict.fromkeys(text for tool in [*self.exemplars, *examples]
                                   for text in [*self.exemplars.get(tool, ()), *examples.get(tool, ())]))
        before = len(self._embedded)
        if texts:
            self._embed_exemplars(texts)
        return len(self._embedded) - before

    def _nearest_exemplar(self, vector: np.ndarray, tool: str, examples: Sequence[str]) -> float | None:
        """The cosine similarity of `vector` to the nearest request for `tool`; None when there is none."""
        texts = list(dict.fromkeys([*self.exemplars.get(tool, ()), *examples]))
        if not texts:
            return None
        return float((self._embed_exemplars(texts) @ vector).max())

    def _embed_exemplars(self, texts: list[str]) -> np.ndarray:
        """The embeddings of `texts` (texts, dim), each computed once for the router's life."""
        missing = [text for text in texts if text not in self._embedded]
        if missing:
            self._embedded.update(zip(missing, self._embed(missing), strict=True))
        return np.stack([self._embedded[text] for text in texts])

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if self.embed is None:
            raise RuntimeError("this router has no embedder; load it with one")
        return np.asarray(self.embed(list(texts)), dtype=np.float32)  # (texts, dim)

    # -- files ------------------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "version": ROUTER_VERSION,
            "labels": self.labels,
            "no_call_threshold": self.no_call_threshold,
            "coef": [[round(float(x), 6) for x in row] for row in self.coef],
            "intercept": [round(float(x), 6) for x in self.intercept],
            "probe": [round(float(x), 6) for x in self.probe],
            "report": self.report,
            "exemplars": self.exemplars,
            "worked_examples": self.worked_examples,
        }

    def save(self, folder: Path) -> Path:
        path = Path(folder) / ROUTER_FILE
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")
        return path

    @classmethod
    def from_json(cls, data: dict[str, Any], embed: Embed | None = None,
                  known_words: Collection[str] = frozenset(), prior: ToolPrior | None = None) -> ToolRouter:
        if data.get("version") != ROUTER_VERSION:
            raise RouterMismatch(f"router version {data.get('version')!r}; this code reads {ROUTER_VERSION}")
        try:
            exemplars = {str(tool): [str(text) for text in texts]
                         for tool, texts in (data.get("exemplars") or {}).items()}
            worked = {str(tool): [_conversation(messages) for messages in conversations]
                      for tool, conversations in (data.get("worked_examples") or {}).items()}
            return cls(list(data["labels"]), np.asarray(data["coef"], dtype=np.float32),
                       np.asarray(data["intercept"], dtype=np.float32), float(data["no_call_threshold"]),
                       np.asarray(data["probe"], dtype=np.float32), embed, dict(data.get("report") or {}), exemplars,
                       worked, known_words, prior)
        except (KeyError, TypeError, ValueError) as error:
            raise RouterMismatch(f"not a router file: {error}") from error


def _asked_in_words(tool: str, text: str, passage: float | None, schemas: Mapping[str, dict[str, Any]] | None,
                    today: date | None, changes: Collection[str], reads: Collection[str]) -> bool:
    """Whether `text` asks for a call of `tool` in so many words, whatever its tone, so that the tool prior does
    not take the call back: a word problem whose words give its sum; a question the documents come near, or any
    message they come as near as a handbook question's; a request stating STATED_REQUEST or more of the
    operation's arguments, writing a change's verb or putting a question to a look-up
    (`operation_fit.requested_in_words`)."""
    if tool == CALCULATOR:
        return composed_expression(text) is not None
    if tool == SEARCH:
        return passage is not None and (passage >= HANDBOOK_NEAR or is_question(text) and passage >= RULE_FLOOR)
    if schemas is None or tool not in schemas:
        return False
    return stated_count(schemas[tool], text, today) >= STATED_REQUEST or \
        requested_in_words(tool, schemas[tool], text, changes, reads)


def _conversation(messages: Any) -> list[dict[str, Any]]:
    """A worked example as router.json holds it: a list of messages, each an object with a role."""
    if not isinstance(messages, list) or not messages or \
            not all(isinstance(message, dict) and isinstance(message.get("role"), str) for message in messages):
        raise ValueError("a worked example is a list of messages, each with a role")
    return messages


def load_router(folder: Path | None, embed: Embed, words: Words | None = None) -> ToolRouter | None:
    """The router saved in an adapter folder, served with `embed` (and the whole words it reads, `words`, which
    no typing slip is mended into); None when the folder has none.

    Raises RouterMismatch when the file is unreadable or `embed` is not the embedder it was fitted with
    (its probe embedding differs)."""
    if folder is None or not (Path(folder) / ROUTER_FILE).is_file():
        return None
    path = Path(folder) / ROUTER_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RouterMismatch(f"{path}: {error}") from error
    probe = np.asarray(embed([PROBE_TEXT])[0], dtype=np.float32)
    router = ToolRouter.from_json(data, embed, words() if words is not None else frozenset(),
                                  load_tool_prior(probe, SAME_EMBEDDER))
    if not fitted_with(probe, router.probe, SAME_EMBEDDER):
        raise RouterMismatch(f"{path} was fitted with another sentence embedder than the one configured "
                             f"(tools.retrieval.embedder); refit it with `assistant fit-router`")
    return router


def served_requests(tools: Iterable[Tool]) -> dict[str, list[str]]:
    """Per tool, what `ToolRouter.route` may weigh as requests for it as the tool is served now: its example
    requests (a catalog operation's `x-examples`) and its description."""
    return {tool.name: [text for text in (*tool.examples, tool.description) if text.strip()] for tool in tools}


#: The most words of a message the router reads with the message before it even where it does not say it goes on
#: from it ("4102?", "E1003 travel claims"): where it asks for a call alone, it decides alone (`ToolRouter.route`).
FOLLOW_UP_WORDS = 5


def router_texts(messages: list[dict[str, Any]]) -> list[str]:
    """What the router reads for a turn: the last user message, and the user message before it with it where the
    turn stands on both (`own_messages`: "and for E1003?") or the last is a few words ("4102?"). A longer message
    that says what it wants on its own is read alone: read with the one before, which wins where it needs a tool
    more, a question about a room's name had looked up its bookings and "pls book monsoon thursday 10:00 to
    12:00" cancelled the leave request asked for before it."""
    users = user_texts(messages)
    if not users:
        return []
    own = [m for m in own_messages(messages) if m.get("role") == "user"]
    joined = len(users) > 1 and (len(own) > 1 or word_count(users[-1]) <= FOLLOW_UP_WORDS)
    return [users[-1]] + ([f"{users[-2]}\n{users[-1]}"] if joined else [])


def user_texts(messages: list[dict[str, Any]]) -> list[str]:
    """The person's messages of a conversation, in order, as text."""
    return [str(m.get("content") or "") for m in messages if m.get("role") == "user"]


def own_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages a turn stands on: from the last user message on, and from the user message before it where
    the last one says it goes on from it (`follow_up`: "and 4102?", "same for E1003 pls"), reacts to the answer
    before it (`reaction`: "thanks, that helps") or answers the assistant's question in between. What the call's
    arguments and the reply's figures may take from: an earlier turn's id, title or filter is not this request's
    ("Tuition" had become the description of every expense claimed after it in a chat)."""
    users = [index for index, message in enumerate(messages) if message.get("role") == "user"]
    if not users:
        return []
    start = users[-1]
    if len(users) > 1:
        between = [m for m in messages[users[-2] + 1 : users[-1]] if m.get("role") == "assistant"]
        asked = bool(between) and str(between[-1].get("content") or "").rstrip().endswith("?")
        last = str(messages[users[-1]].get("content") or "")
        if asked or follow_up(last) or reaction(last):
            start = users[-2]
    return messages[start:]

"""The toolken decoding loop, ToolkenGPT style: an explicit state machine over token ids.

ROUTE      before the first token, the tool router (when the adapter has one, `assistant.router`) reads the
           question's sentence embedding, and weighs how near the documents come to it against the requests
           the tool it would call was fitted on: a call -> the turn opens with that tool's toolken, forced
           (ARGUMENTS), after the router's worked examples of that tool nearest the question when it keeps
           some (generation.worked_examples; in the prompt only); no call -> REPLY with toolkens masked until
           a tool result (none comes unless the claim guard fires).
REPLY      the model writes the answer; toolkens carry the bias knob and are masked once the answer segment is
           past its lead-in (max_call_lead_in). End-of-turn -> DONE; a toolken -> ARGUMENTS.
           Before the turn's first call, the reply's opening is held back (generation.claim_guard): if it opens
           the way an answer written from a tool result does ("I found 2 requests:", "Done."), no tool has
           produced what it is about to state, so the turn starts again with a call forced: the router's
           likeliest tool, or without a router the toolken the model rated highest in that opening.
           Otherwise the held text is streamed once the lead-in is over. Throughout the reply, a token that
           would complete a finished action no API call run backs ("has been booked", "Done."), a result's
           opening no call run backs past the held opening ("I found"), or an e-mail address nobody gave is
           masked (generation.stated_reply_claims, `assistant.claims`), as a figure nobody stated is
           (generation.stated_reply_figures).
ARGUMENTS  the model writes the call's JSON arguments under a grammar built from the tool's schema, narrowed
           to the ids the conversation states where it states ids of a property's kind
           (generation.stated_ids, `assistant.codes`); in a calculator expression or an API call's number a
           digit that would make a figure nobody stated is masked too (generation.stated_figures_only,
           `assistant.figures`), in a free-text argument a token that would leave the words the conversation
           states (generation.copy_free_text, `assistant.copying`). When the JSON is complete the arguments
           are settled against what the conversation says (`assistant.arguments`), and the call is validated,
           approved or planned, and run; the result is queued as forced tokens (a tool message) -> REPLY, or
           after a search that found a passage near the question, DONE with that passage's leading statements
           quoted as the answer (generation.quote_search, `assistant.quotes`); or, after an API call planned
           in a dry run, DONE with an answer that says so (`planned_reply`): nothing was read, so there is
           nothing for the model to report. After an API call that ran, unless the model's first token is
           another toolken, DONE with the answer written from the result (generation.describe_api_results,
           `assistant.result_answers`); after one the API refused, unless that token calls another tool, DONE
           with the API's reason; after one nobody approved, DONE saying it was not sent (`declined_reply`).
DONE       the turn is over.

Every token fed to the model after the prompt is recorded with a flag saying whether it was sampled or
forced; the forced ones (tool results, chat-template glue) are what training must not learn from.

The logits come from a decoder leased from the engine's pool for as long as the turn computes; while a person
decides on a side-effecting call the turn holds none, and it resumes on whichever decoder is free, which
recomputes only what that decoder does not already hold. So several turns run at once over one engine.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Generator, Iterator
from datetime import date
from typing import Any

import torch

from assistant.actions import (
    named_change,
    needed_id,
    needed_id_reply,
    negated_action,
    unanswered_question,
    unanswered_reply,
    unchanged_property,
    undone_action,
    unsupported_action,
    unsupported_reply,
    unsure_change_reply,
)
from assistant.approvals import (
    DECLINED,
    NOBODY_ASKED,
    UNATTENDED_REPLY,
    Approver,
    CannotApprove,
    Unattended,
    declined_reply,
)
from assistant.arguments import settled_arguments
from assistant.chat_format import ChatFormat, ParsedCall, arguments_json, call_content, to_toolken_messages
from assistant.claims import (
    completes_claim,
    ends_on,
    opens_with_claim,
    unstated_address,
)
from assistant.codes import id_shape, narrowed_schema, record_word, stated_addresses, stated_codes, unstated_record_id
from assistant.config import GenerationConfig
from assistant.context_window import fitted_history, prompt_opening
from assistant.copying import CopiedText
from assistant.decoding import (
    ArgumentGrammars,
    Decoder,
    Sampler,
    end_of_turn_ids,
    extend_text,
)
from assistant.events import (
    Event,
    FinalAnswer,
    QueueWait,
    Sources,
    TextDelta,
    Timings,
    ToolCall,
    ToolOutcome,
)
from assistant.figures import COUNTS, StatedAmounts, StatedFigures
from assistant.follow_up_calls import ordered_after_look_up, pointed_change, pointed_operation, refined_tool
from assistant.follow_ups import call_before, carried_arguments, completed_request
from assistant.pool import DecoderPool
from assistant.quotes import quoted_answer
from assistant.reply_text import last_words, opens_sentence, said_figures, shown_by_word
from assistant.result_answers import describe_failure, describe_result
from assistant.router import (
    CALCULATOR,
    SEARCH,
    Route,
    ToolRouter,
    own_messages,
    router_texts,
    served_requests,
    user_texts,
)
from assistant.stated_sums import result_fits
from assistant.toolkens import ToolkenRegistry
from assistant.turn_state import Mode, TurnClock, TurnState
from assistant.word_problems import composed_expression
from tools.base import Tool, ToolResult
from tools.calculator import Calculator
from tools.catalog import ApiOperationTool
from tools.retrieval import SearchTool

log = logging.getLogger(__name__)
#: The router's reason for a turn that opens with the operation of the call before it (`follow_up_calls.refined_tool`),
#: and for one whose verb names another change's action (`actions.named_change`): neither is the classifier's.
REFINES = "refines the call before it"
#: The router's reason for a turn that orders a change on the record the call before named, or a look-up of it
#: (`follow_up_calls.pointed_change`, `follow_up_calls.pointed_operation`).
POINTED = "orders"
VERB_NAMES = "the request's verb names"

#: The likeliest argument tokens weighed at each step of a calculator expression (against the stated figures) or
#: of a free-text argument (against the stated words).
FIGURE_CANDIDATES = 16

#: How likely the model must have found a call somewhere in a held opening for the opening's figure nobody gave
#: to start the turn again with that call (the router had masked it); below it the figure is only masked. A
#: greeting's "back in 15 minutes" comes after toolkens at 1%, "I'll work it out. 10 is the maximum gift"
#: after the calculator's toolken at 97%.
WANTED_CALL = 0.5

#: How many openings a turn the router settled without a call (`Route.settled`) may have taken back before the
#: reply ends at what was already shown: each one taken back is a claim that no tool could back.
UNSAY_LIMIT = 4

#: Reply tokens the claim guard holds back when calls have no lead-in limit (generation.max_call_lead_in null).
HOLD_WITHOUT_LEAD_IN = 16

#: The tool result of a call planned in a dry run, beside the plan: the model must not report it as done.
PLANNED_ONLY = "dry run: this call was planned only and NOT sent; nothing was changed or read"


def planned_reply(tool: str) -> str:
    """The answer after a call of `tool` planned in a dry run. The model has no result to answer from, and what it
    wrote there was invented ("Done, but ...", "The call was not planned but sent."). The request itself is the
    call's plan, shown with the call; the answer names no figure, so a later turn that copies it copies none, and
    states no finished action as the claim patterns read one ("was changed"), negated or not."""
    return f"Planned, not sent (dry run): {tool}. A dry run sends nothing: no record is read or changed."


def unstated_id_reply(name: str) -> str:
    """The answer where the id of a change's record or person was written by nobody (`codes.unstated_record_id`):
    "Not sent: which ticket? No message here gives its ticket id." """
    return f"Not sent: which {record_word(name)}? No message here gives its {name.replace('_', ' ')}."


#: What `Engine.warm` has the router weigh: a question that reaches its embedder and the documents' index.
WARMING_MESSAGE = "How do I book a meeting room for my team?"


class UnknownTool(ValueError):
    """A forced tool (`--tool`) that is not among the engine's tools."""


class Engine:
    """Runs turns of conversations on one model with its toolkens and tools; as many turns at once as its
    decoder pool has decoders (more wait for one)."""

    def __init__(
        self,
        decoder: Decoder | DecoderPool,
        chat: ChatFormat,
        registry: ToolkenRegistry,
        tools: list[Tool],
        generation: GenerationConfig,
        system_prompt: str,
        max_context_tokens: int = 2048,
        tell_date: bool = True,
        router: ToolRouter | None = None,
    ):
        #: A turn leases a decoder while it computes and gives it back while a person decides on a call.
        self.decoders = decoder if isinstance(decoder, DecoderPool) else DecoderPool.of(decoder)
        self.chat = chat
        self.registry = registry
        self.tools = {tool.name: tool for tool in tools}
        #: Per tool, its argument schema: what the router weighs a request against, and worked examples are
        #: written with.
        self.schemas = {tool.name: tool.parameters for tool in tools}
        #: The tools with side effects: a question the router would send to one may be read instead.
        self.changes = frozenset(tool.name for tool in tools if tool.side_effects)
        #: The look-ups of records (an API's reading operations): a question naming no record reads none.
        self.reads = frozenset(tool.name for tool in tools if not tool.side_effects and not tool.local)
        registry.check_tools(tools)
        self.generation = generation
        self.system_prompt = system_prompt
        #: State today's date in the system message, so that relative dates in a request can be resolved.
        self.tell_date = tell_date
        self.max_context_tokens = max_context_tokens
        #: Decides whether a turn opens with a call, and which (None: the model alone decides).
        self.router = router
        self.grammars = ArgumentGrammars(chat.tokenizer, self.decoders.vocab_size)
        self.end_ids = end_of_turn_ids(chat.tokenizer)
        self.toolken_ids = torch.tensor(registry.token_ids, dtype=torch.long)
        self._pieces: dict[int, str] = {}  # token id -> its text alone (`_piece`)

    # -- the turn ---------------------------------------------------------------------------------------

    def run_turn(
        self,
        messages: list[dict[str, Any]],
        *,
        approve: Approver | None = None,
        dry_run: bool = False,
        force_tool: str | None = None,
        generation: GenerationConfig | None = None,
        today: date | None = None,
    ) -> Iterator[Event]:
        """Answer the last user message of `messages` (earlier ones are the chat so far).

        `approve` is asked before each side-effecting call (none: such calls are declined). `dry_run`
        plans every call that would leave this process instead of sending it. `force_tool` makes the
        reply start with that tool's toolken (forced, not sampled); its arguments are still the model's.
        `today` is the date the system message states (None: the day it runs; the engine's `tell_date` off:
        no date).
        """
        generation = generation or self.generation
        if force_tool is not None and force_tool not in self.tools:
            raise UnknownTool(f"no tool named {force_tool!r}; known: {', '.join(self.tools)}")
        clock = TurnClock()
        started = clock.started
        today = today if today is not None else date.today()
        history = self._fit_context(messages, generation, today)
        sampler = Sampler(generation)
        previous, asked = call_before(messages, self.schemas, self.reads, today)
        route = self._route(history, generation, today, previous) if force_tool is None else None
        if route is not None and route.call:
            force_tool = route.tool
            worked = self._worked_examples(route.tool, history, generation)
            if worked:
                # Just before the message, after the chat so far: the prompt starts as the last turn's did, so a
                # decoder holding the chat computes only the examples and the message, not the whole chat again.
                history = self._fit_context([*messages[:-1], *worked, messages[-1]], generation, today)
        clock.route_s = time.perf_counter() - started
        prompt = self.chat.prompt_ids(history)
        guard = generation.claim_guard and force_tool is None and generation.max_tool_calls > 0 and bool(self.tools)
        state = TurnState(history=history, prompt=prompt, stated=_stated_texts(own_messages(messages)), today=today,
                          previous=previous, asked=asked, clock=clock)
        refusal = self._refusal(_request(messages), route, generation, previous)
        if refusal is not None:
            state.reply_text = refusal
            yield from self._finish(state, prompt, started, "end_of_turn", generation)
            return
        needed = route is not None and not route.call and not route.settled and route.tool in self.changes \
            and generation.stated_ids and needed_id(_request(messages), self.tools[route.tool], state.stated, today)
        if needed:  # the person says which record, and the next turn sends the call
            log.info("router: %s needs its %s, which no message gives: asked for", route.tool, needed)
            state.tool = self.tools[route.tool]
            self._hold_for(state, {}, needed)
            state.reply_text = needed_id_reply(self.tools[route.tool], needed)
            yield from self._finish(state, prompt, started, "end_of_turn", generation)
            return
        try:
            state, logits = yield from self._start(state, force_tool, guard, generation)
            state.routed = route is not None and route.call
            state.no_call = route is not None and not route.call
            # the message's kind wants no call, or the router is sure of none where nothing goes on from a call
            state.settled = route is not None and (route.settled or not route.call and previous is None
                                                   and route.no_call >= generation.sure_no_call)
            stop_reason = "end_of_turn"
            while state.mode is not Mode.DONE:
                if state.pending:
                    logits = yield from self._feed_pending(state)
                if state.sampled_count >= generation.max_new_tokens:
                    stop_reason = "max_new_tokens"
                    if state.mode is Mode.ARGUMENTS:
                        yield from self._abandon_call(state, "the call's arguments ran past max_new_tokens")
                    break
                if state.mode is Mode.REPLY:
                    yield from self._reply_step(state, logits, sampler, generation)
                else:
                    yield from self._argument_step(state, logits, sampler, generation, approve, dry_run)
                if state.first_token_s is None:
                    state.first_token_s = time.perf_counter() - started
                if state.rewind_to is not None and state.settled:
                    log.info("the reply opened a claim with %r where the question wants no tool: taken back",
                             state.reply_text[state.streamed :])
                    logits = yield from self._unsay(state)
                    state.guarded = True
                    continue
                if state.rewind_to is not None:
                    forced = self._guard_call(state.rewind_to, route)
                    if state.released:
                        log.info("the reply went on with %r before any call: %s called after %r, already shown",
                                 state.reply_text[state.streamed :], forced, state.reply_text[: state.streamed])
                        logits = yield from self._call_after_released(state, forced, generation)
                        state.guarded = True
                        continue
                    log.info("the reply opened with %r before any call: started again with %s forced",
                             state.reply_text, forced)
                    first_token_s = state.first_token_s
                    state, logits = yield from self._start(state, forced, False, generation)
                    state.guarded, state.first_token_s = True, first_token_s
        finally:  # the turn ended, failed or was closed by its reader: the decoder serves others
            self._give_back(state)
        yield from self._finish(state, prompt, started, stop_reason, generation)

    def route(self, messages: list[dict[str, Any]], generation: GenerationConfig | None = None,
              today: date | None = None) -> Route | None:
        """The router's verdict on a turn answering the last user message of `messages`, as `run_turn` opens it
        (bench/tool_prior.py weighs the router this way without running the model)."""
        today = today if today is not None else date.today()
        return self._route(messages, generation or self.generation, today,
                           call_before(messages, self.schemas, self.reads, today)[0])

    def _route(self, history: list[dict[str, Any]], generation: GenerationConfig, today: date,
               previous: ParsedCall | None = None) -> Route | None:
        """The router's verdict on the turn; None without a router, with it turned off, or without tools to call. A
        message that refines the call before it (`assistant.follow_up_calls`) opens with that call's operation."""
        if self.router is None or not generation.router or generation.max_tool_calls == 0 or not self.tools:
            return None
        try:
            search = self.tools.get(SEARCH)
            route = self.router.route(router_texts(history), self.tools, examples=served_requests(self.tools.values()),
                                      nearest_passage=search.nearest if isinstance(search, SearchTool) else None,
                                      unknown_words=search.unknown_words if isinstance(search, SearchTool) else None,
                                      schemas=self.schemas, today=today, changes=self.changes, reads=self.reads,
                                      prior=generation.tool_prior)
        except Exception:  # the model still answers, deciding alone, if the embedder fails
            log.exception("the tool router failed; the model decides alone")
            return None
        routed = route.tool if route.call and route.tool in self.reads | self.changes else None
        refined = refined_tool(_request(history), previous, self.schemas, today, routed, self._named_requests())
        if refined is not None and not (route.call and route.tool == refined):
            route = Route(route.no_call, refined, route.tool_probability, True,
                          reason=f"{REFINES}, not {route.tool if route.call else 'no call'}")
        if refined is None and not route.call and not route.settled and \
                pointed_change(_request(history), previous, route.tool, self.schemas, self.changes, today):
            route = Route(route.no_call, route.tool, route.tool_probability, True,
                          reason=f"{POINTED} {route.tool}'s change on the record of the call before")
        elif refined is None and not route.call and not route.settled and \
                ordered_after_look_up(_request(history), previous, route.tool, self.schemas, self.changes, self.reads,
                                      today):
            route = Route(route.no_call, route.tool, route.tool_probability, True,
                          reason=f"{POINTED} {route.tool} by its verb after a look-up of the same things")
        elif refined is None and not route.settled and (not route.call or route.tool in self.reads) and \
                (pointed := pointed_operation(_request(history), previous, route.tool if route.call else None,
                                              self.schemas, self.changes, self.reads, today)) is not None:
            route = Route(route.no_call, pointed, route.tool_probability, True,
                          reason=f"{POINTED} {pointed} on the record of the call before, not "
                                 f"{route.tool if route.call else 'no call'}")
        named = named_change(_request(history), route.tool, self.tools) if route.call else None
        if named is not None:
            route = Route(route.no_call, named, route.tool_probability, True,
                          reason=f"{VERB_NAMES} {named}'s action, not {route.tool}'s")
        log.info("router: %s (no call %.2f, %s %.2f)%s", route.tool if route.call else "no call", route.no_call,
                 route.tool, route.tool_probability, f"; {route.reason}" if route.reason else "")
        return route

    def _named_requests(self) -> list[str]:
        """The catalog's example requests, which write records' ids beside their names ("at antwerp WH-02"): by
        them a follow-up's name states an id (`codes.named_id_arguments`)."""
        return [text for tool in self.tools.values() if isinstance(tool, ApiOperationTool) for text in tool.examples]

    def _refusal(self, request: str, route: Route | None, generation: GenerationConfig,
                 previous: ParsedCall | None = None) -> str | None:
        """The answer, written here, to a request for a change no operation makes (`assistant.actions`): one that
        says not to do the change ("no don't reopen 4104"), one for an action no operation does, whether the router
        placed it at an operation or at none, one for a property the operation does not change ("change the priority
        of ticket 4101") or one the router placed at a change only by a small margin, unless the turn goes on from
        a call (`previous`: a follow-up after a look-up of the ticket is read with the message before it, and rated
        low). None: the turn goes on to the model."""
        if route is None:
            return None
        if generation.refuse_unsupported_actions:
            negated = negated_action(request, route.tool, self.tools) if route.call else None
            if negated:
                log.info("router: %s, which the request says not to do (%r): no call", route.tool, negated)
                return f"OK, I won't {negated} it: nothing was sent."
            if not route.call:
                verb = undone_action(request, self.tools)
            elif not (verb := unsupported_action(request, route.tool, self.tools)):
                changed = unchanged_property(request, route.tool, self.tools)
                verb = changed and f"change the {changed}"
            if verb:
                log.info("router: %s; no operation does %r: no call", route.tool if route.call else "no call", verb)
                return unsupported_reply(verb, route.tool if route.call else None, self.tools)
        if generation.refuse_unsupported_actions and not route.call and not route.settled and previous is None \
                and unanswered_question(request, route.tool, route.no_call, self.tools):
            log.info("router: no call, though sure of one (%.2f; %s): no look-up answers it", route.no_call,
                     route.reason)
            return unanswered_reply(route.tool, self.tools)
        if route.call and previous is None and not route.reason.startswith((REFINES, VERB_NAMES)) \
                and route.tool in self.changes and route.tool_probability < generation.least_change_probability:
            log.info("router: %s at %.2f is no change this request asks for: no call", route.tool,
                     route.tool_probability)
            return unsure_change_reply(self.tools)
        return None

    def _worked_examples(
        self, tool: str, history: list[dict[str, Any]], generation: GenerationConfig
    ) -> list[dict[str, Any]]:
        """The router's worked examples of `tool` nearest the question, as the engine's messages ([] when it
        keeps none, or they are turned off)."""
        if self.router is None or generation.worked_examples == 0:
            return []
        try:
            worked = self.router.worked_examples_for(tool, _request(history), generation.worked_examples)
        except Exception:  # the turn goes on without them if the embedder fails
            log.exception("the router's worked examples failed; the turn goes on without them")
            return []
        return to_toolken_messages(worked, self.schemas)

    def _guard_call(self, best_toolken: int, route: Route | None) -> str:
        """The tool a guarded turn starts again with: the router's likeliest tool (its checks applied) when it
        weighed the turn, for it chooses among tools better than the toolkens do; else the toolken the model
        rated highest in the held opening.

        Not a change the router weighed and did not open: the guard backs what the reply is about to state, which
        a change does not tell, and the router's checks had found the message states nothing to change or asks
        rather than requests ("one carrier keeps cancelling last minute, how many no-shows before they cant book
        online anymore?" had cancelled a dock slot). The handbook is searched instead where it can be."""
        if route is not None and route.tool in self.changes and not route.call and SEARCH in self.tools:
            return SEARCH
        if route is not None and route.tool in self.tools:
            return route.tool
        toolken = self.registry.by_token_id(best_toolken)
        assert toolken is not None
        return toolken.name

    def _start(
        self, previous: TurnState, force_tool: str | None, guard: bool, generation: GenerationConfig
    ) -> Generator[QueueWait, None, tuple[TurnState, torch.Tensor]]:
        """A fresh turn state for `previous`'s prompt, keeping its decoder if it has one, and the logits after the
        prompt (and the forced toolken, if any)."""
        state = TurnState(history=previous.history, prompt=previous.prompt, stated=previous.stated,
                          today=previous.today, previous=previous.previous, asked=previous.asked, holding=guard,
                          clock=previous.clock)
        if force_tool is not None:  # the toolken rides along with the prompt, marked forced
            self._force_call(state, force_tool, generation)
        state.decoder, previous.decoder = previous.decoder, None
        return state, (yield from self._hold(state))

    def _call_after_released(
        self, state: TurnState, tool: str, generation: GenerationConfig
    ) -> Generator[QueueWait, None, torch.Tensor]:
        """Take the held opening back to the sentences already shown and force `tool`'s toolken after them: what
        a person has read stays, as the lead-in of the call, and nothing after it is kept. Returns the logits
        after the toolken."""
        self._back_to_shown(state)
        state.holding = False
        self._force_call(state, tool, generation)
        return (yield from self._hold(state))

    def _unsay(self, state: TurnState) -> Generator[QueueWait, None, torch.Tensor]:
        """Take the held claim back to the sentences already shown and rule out the token it began with there,
        so the reply goes on another way; after UNSAY_LIMIT claims the reply ends at what was shown. Returns the
        logits after the kept tokens."""
        state.unsaid.setdefault(state.released, set()).add(state.reply_ids[state.released])
        self._back_to_shown(state)
        state.mode = Mode.DONE if sum(map(len, state.unsaid.values())) >= UNSAY_LIMIT else Mode.REPLY
        return (yield from self._hold(state))

    @staticmethod
    def _back_to_shown(state: TurnState) -> None:
        """Cut the held opening back to the reply tokens whose text was already shown (`state.released`): the
        tokens fed after them, the pending ones and the guard's verdict go."""
        kept = state.released
        fed = state.tokens + [token for token, _ in state.pending]
        marks = state.sampled + [sampled for _, sampled in state.pending]
        cut = len(fed) - len(state.reply_ids) + kept  # the reply's kept tokens end the turn's kept ones
        state.tokens, state.sampled = fed[:cut], marks[:cut]
        state.pending, state.rewind_to = [], None
        state.reply_ids, state.reply_text = state.reply_ids[:kept], state.reply_text[: state.streamed]
        state.reply_window = (kept, kept)

    def _force_call(self, state: TurnState, tool: str, generation: GenerationConfig) -> None:
        """Append `tool`'s toolken to the turn's tokens, marked forced, and start writing the call's arguments."""
        state.tokens.append(self.registry.by_name(tool).token_id)
        state.sampled.append(False)
        state.mode = Mode.ARGUMENTS
        self._begin_call(state, self.tools[tool], generation)

    # -- states -----------------------------------------------------------------------------------------

    def _reply_step(
        self, state: TurnState, logits: torch.Tensor, sampler: Sampler, generation: GenerationConfig
    ) -> Iterator[Event]:
        logits = logits.clone()
        lead_in = generation.max_call_lead_in
        callable_now = len(state.outcomes) < generation.max_tool_calls and (
            lead_in is None or len(state.reply_ids) <= lead_in)
        logits[self.toolken_ids] += generation.toolken_bias
        if callable_now and state.holding:  # the guard's call if it fires, even where the router found none
            self._note_best_toolken(state, logits)
        if not callable_now or (state.no_call and not state.outcomes):
            logits[self.toolken_ids] = float("-inf")
        unsaid = state.unsaid.get(len(state.reply_ids))
        if unsaid:
            logits[list(unsaid)] = float("-inf")
        rejections = []
        if generation.stated_reply_figures:
            rejections.append(self._reply_figure_rejection(state))
            wanted = int(logits.argmax())
            masked = rejections[-1](wanted) and state.holding and state.best_toolken is not None
            if masked and (state.best_toolken[0] >= WANTED_CALL if not state.settled else
                           result_fits(state.reply_text + self._piece(wanted), len(state.reply_text)) is not None):
                # The opening was about to state a figure nobody gave: the call comes instead. Where the message
                # wants no call, an opening about to state a calculation's result nobody gave is taken back.
                state.rewind_to = state.best_toolken[1]
                state.mode = Mode.DONE
                return
        if generation.stated_reply_claims:
            rejections.append(self._reply_claim_rejection(state))
        token = self._sample_kept(sampler, logits, state.reply_ids, rejections)
        state.sampled_count += 1
        if state.described is not None:  # the first token after an API result: a toolken calls again
            described, state.described = state.described, None
            called = self.registry.by_token_id(token)
            refused = called is not None and any(outcome.tool == called.name and outcome.status == "failed"
                                                 for outcome in state.outcomes)
            if called is None or refused:  # the same refused call again is no way on
                state.reply_text, state.mode = described, Mode.DONE
                return
        if token in self.end_ids:
            state.mode = Mode.DONE
            return
        toolken = self.registry.by_token_id(token)
        if toolken is not None:
            yield from self._release(state)  # the lead-in before a call is the model's own text
            state.pending.append((token, True))
            state.mode = Mode.ARGUMENTS
            self._begin_call(state, self.tools[toolken.name], generation)
            return
        state.pending.append((token, True))
        state.reply_ids.append(token)
        before = state.reply_text
        state.reply_text, state.reply_window = extend_text(
            self.chat.tokenizer, state.reply_ids, state.reply_text, state.reply_window)
        if state.holding:
            if opens_with_claim(state.reply_text) and state.best_toolken is not None:
                state.rewind_to = state.best_toolken[1]
                state.mode = Mode.DONE
                return
            if len(state.reply_ids) <= (lead_in if lead_in is not None else HOLD_WITHOUT_LEAD_IN):
                piece = state.reply_text[len(before) :]
                if opens_sentence(before, piece) or piece[:1].isspace() and shown_by_word(before + piece[:1]):
                    # The text before this token opens no claim, as whole sentences or as the words of one that
                    # can open none: a person reads it now, and a claim after it turns into a call that follows
                    # it (`_call_after_released`).
                    state.released = len(state.reply_ids) - 1
                    yield from self._release(state, len(before))
                return
            state.holding = False  # past the lead-in no call can come: the opening is what it is
        yield from self._release(state)

    def _sample_kept(
        self, sampler: Sampler, logits: torch.Tensor, penalised: list[int], rejections: list[Callable[[int], bool]]
    ) -> int:
        """The sampler's token from `logits`, drawn again without it while one of `rejections` rejects it: the
        token drawn is the one checked, after the repetition penalty and sampling, so no token below a checked few
        can write a figure or a claim nobody gave. Greedy, it is the likeliest token no rule rejects. A reply's
        rules stand whatever they mask (a sentence can always go on in words); where they reject every token, the
        turn ends."""
        while True:
            token = sampler(logits, penalised=penalised)
            if not any(rejected(token) for rejected in rejections):
                return token
            logits[token] = float("-inf")
            if bool(torch.isneginf(logits).all()):
                return next(iter(self.end_ids))

    def _reply_figure_rejection(self, state: TurnState) -> Callable[[int], bool]:
        """Whether a token would leave the reply's last number neither a figure the conversation stated
        (`_said_figures`) or the start of one, nor a list's number at the start of a line; or would write a result
        for a calculation the sentence states that is not its value. A right value nobody stated is rejected too:
        the reply computes no amount of its own, a calculator call does. Only the reply's last two words are
        read: every number before them was read as it ended."""
        if state.said_figures is None or state.said_figures[0] != len(state.outcomes):
            # a count comes from records a call read: a planned, declined or failed call read none, a calculation
            # none either ("75 percent of 9 teams" after 48/64*100 counts teams nobody named)
            always = COUNTS if any(outcome.status == "ran" and outcome.tool != CALCULATOR
                                   for outcome in state.outcomes) else ()
            said = said_figures(state.stated, state.outcomes)
            state.said_figures = (len(state.outcomes), StatedFigures.of(said, always, factors=False))
        figures = state.said_figures[1]
        in_number = any(char.isdigit() for char in last_words(state.reply_text))

        def rejected(token: int) -> bool:
            piece = self._piece(token)
            if not in_number and not any(char.isdigit() for char in piece):
                return False
            text = state.reply_text + piece
            if result_fits(text, len(state.reply_text)) is False:  # not the value of the calculation stated
                return True
            return not figures.allows_in_prose(last_words(text))

        return rejected

    def _reply_claim_rejection(self, state: TurnState) -> Callable[[int], bool]:
        """Whether a token would write an e-mail address nobody gave, or complete a claim no API call run in this
        turn backs: a finished action, or, where the held opening's guard would not call instead, a tool-result
        answer's opening (`assistant.claims`). A search or a calculation backs no record, and a planned, declined
        or failed call nothing: "Done." after a dry run's plan reports what never happened. Nor does an earlier
        turn's call: late in a chat, "Done." or "I found 10 leave days." answers this message as if a call had run
        for it."""
        backed = any(outcome.status == "ran" and outcome.tool not in (SEARCH, CALCULATOR) for outcome in state.outcomes)
        guarding = state.holding and state.best_toolken is not None  # the guard acts on a held opening's claim
        if state.said_text is None or state.said_text[0] != len(state.outcomes):
            state.said_text = (len(state.outcomes), "\n".join(said_figures(state.stated, state.outcomes)).casefold())
        said = state.said_text[1]

        def rejected(token: int) -> bool:
            piece = self._piece(token)
            return unstated_address(state.reply_text, piece, said) or completes_claim(
                state.reply_text, piece, actions=not backed, openings=not backed and not guarding)

        return rejected

    def _piece(self, token: int) -> str:
        """A token's text on its own; a space for the end of turn and the toolkens, which end a number."""
        piece = self._pieces.get(token)
        if piece is None:
            special = token in self.end_ids or self.registry.by_token_id(token) is not None
            piece = " " if special else self.chat.tokenizer.decode([token], clean_up_tokenization_spaces=False)
            self._pieces[token] = piece
        return piece

    def _note_best_toolken(self, state: TurnState, logits: torch.Tensor) -> None:
        """Remember the toolken most likely so far in the held opening (the guard's call if it fires)."""
        probabilities = torch.softmax(logits.float(), dim=-1)[self.toolken_ids]  # (toolkens,)
        best = int(probabilities.argmax())
        if state.best_toolken is None or float(probabilities[best]) > state.best_toolken[0]:
            state.best_toolken = (float(probabilities[best]), int(self.toolken_ids[best]))

    def _release(self, state: TurnState, upto: int | None = None) -> Iterator[Event]:
        """Stream the part of the segment's text not yet streamed (up to character `upto`, if given)."""
        end = len(state.reply_text) if upto is None else upto
        delta = state.reply_text[state.streamed : end]
        state.streamed = max(state.streamed, end)
        if delta:
            if state.clock.shown_s is None:
                state.clock.shown_s = time.perf_counter() - state.clock.started
            yield TextDelta(delta)

    def _begin_call(self, state: TurnState, tool: Tool, generation: GenerationConfig) -> None:
        state.tool = tool
        # this turn's earlier results count as stated too
        said = state.stated + [_without_engine_notes(json.dumps(outcome.result))
                               for outcome in state.outcomes if outcome.result is not None]
        codes = stated_codes(said)
        schema = narrowed_schema(tool.parameters, codes + _earlier_codes(codes, user_texts(state.history)[:-1])
                                 + stated_addresses(said), listed=True) if generation.stated_ids else None
        state.matcher = self.grammars.matcher(tool, schema)
        state.argument_ids = []
        state.figures, state.copied, state.amounts = None, None, None
        if isinstance(tool, Calculator):
            state.figures = StatedFigures.of(said)
        else:
            state.copied = CopiedText.of(tool.parameters, said)
            state.amounts = StatedAmounts.of(tool.parameters, said)

    def _argument_step(
        self,
        state: TurnState,
        logits: torch.Tensor,
        sampler: Sampler,
        generation: GenerationConfig,
        approve: Approver | None,
        dry_run: bool,
    ) -> Iterator[Event]:
        assert state.matcher is not None and state.tool is not None
        if not state.argument_ids and state.figures is not None and generation.compose_word_problems:
            written = self._composed_arguments(state)
            if written is not None:  # the word problem's words give the expression: nothing for the model to write
                for token in written:
                    state.matcher.accept_token(token)
                state.argument_ids.extend(written)
                state.pending.extend((token, False) for token in written)
                yield from self._complete_call(state, approve, dry_run, generation)
                return
        logits = self.grammars.mask(state.matcher, logits)
        if state.figures is not None and generation.stated_figures_only:
            logits = self._keep_to(state, state.figures.allows, logits)
        else:
            rules = [rule.allows_arguments for rule, on in ((state.copied, generation.copy_free_text),
                                                            (state.amounts, generation.stated_figures_only))
                     if rule is not None and on]
            if rules:
                logits = self._keep_to(state, lambda text: all(allows(text) for allows in rules), logits)
        token = sampler(logits)
        state.sampled_count += 1
        if not state.matcher.accept_token(token):
            yield from self._abandon_call(state, "the arguments left the tool's JSON grammar")
            return
        state.argument_ids.append(token)
        state.pending.append((token, True))
        if state.matcher.is_terminated():
            yield from self._complete_call(state, approve, dry_run, generation)
        elif len(state.argument_ids) >= generation.max_argument_tokens:
            yield from self._abandon_call(state, f"the arguments ran past {generation.max_argument_tokens} tokens")

    def _composed_arguments(self, state: TurnState) -> list[int] | None:
        """The calculator call's arguments as tokens when the request is a word problem whose words give its
        expression (`assistant.word_problems`), and the tool's grammar takes them as written; else None. The
        model's own expression would be replaced by it anyway, and it may never finish one ("14 plts at 62 eur
        per plt + 8% fuel surcharge" ran past the argument limit)."""
        assert state.tool is not None
        composed = composed_expression(_request(state.history))
        if composed is None:
            return None
        tokens = self.chat.encode(json.dumps({"expression": composed}))
        probe = self.grammars.matcher(state.tool)
        if not all(probe.accept_token(token) for token in tokens) or not probe.is_terminated():
            return None
        return tokens

    def _keep_to(self, state: TurnState, allows: Callable[[str], bool], logits: torch.Tensor) -> torch.Tensor:
        """`logits` with the likeliest tokens after which the arguments written so far are not what `allows`
        allows (a figure nobody stated, a title in words nobody said) masked; unchanged when all
        FIGURE_CANDIDATES of them would be (the grammar's choice stands rather than a far-fetched token)."""
        kept, any_kept = _masked_likeliest(logits, lambda token: not allows(self.chat.tokenizer.decode(
            state.argument_ids + [token], skip_special_tokens=True, clean_up_tokenization_spaces=False)))
        return kept if any_kept else logits

    def _complete_call(
        self, state: TurnState, approve: Approver | None, dry_run: bool, generation: GenerationConfig
    ) -> Iterator[Event]:
        tool = state.tool
        assert tool is not None
        written = json.loads(self._arguments_text(state))
        request = completed_request(_request(state.history), tool.name, state.previous, tool.parameters, state.today,
                                    state.asked)
        arguments = settled_arguments(
            written, tool, generation, request=request, today=state.today,
            said="\n".join(state.stated + _stated_texts(state.new_messages)),
            similarities=self.router.similarities if self.router is not None and self.router.embed is not None
            else None)
        arguments = carried_arguments(arguments, tool.name, tool.parameters, _request(state.history), state.previous,
                                      state.today, user_texts(state.history)[:-1], self._named_requests())
        if arguments != written:
            state.sent_arguments = json.dumps(arguments, ensure_ascii=False)
        unstated = tool.side_effects and generation.stated_ids and unstated_record_id(  # the whole chat's
            arguments, tool.parameters, "\n".join(_stated_texts(state.history + state.new_messages)))
        if unstated:  # nothing is sent or planned: the person says which record, and the next turn sends it
            log.info("%s's %s %s is written nowhere in the conversation: not sent", tool.name, unstated,
                     arguments[unstated])
            self._hold_for(state, {name: value for name, value in arguments.items() if name != unstated}, unstated)
            state.reply_text, state.mode = unstated_id_reply(unstated), Mode.DONE
            return
        call = ToolCall(tool.name, arguments, tool.side_effects, tool.plan(arguments))
        yield call
        if tool.side_effects and approve is not None and not (dry_run and not tool.local):
            # A person decides now, for as long as they take: the decoder serves other turns meanwhile, and
            # this one resumes on whichever is free (its own, KV state intact, unless someone needed it).
            self._give_back(state)
        started = time.perf_counter()
        gone = False
        try:
            outcome = self._execute(tool, call, approve, dry_run)
        except Unattended as reason:
            outcome, gone = ToolOutcome(tool.name, call.arguments, "declined", error=str(reason)), True
        outcome = ToolOutcome(**{**outcome.__dict__, "elapsed_s": time.perf_counter() - started})
        state.tools_s += outcome.elapsed_s
        yield outcome
        self._queue_result(state, outcome)
        if gone:  # nobody reads a reply now: the turn ends saying what happened, the tool message says why
            state.reply_text, state.mode = UNATTENDED_REPLY, Mode.DONE
            return
        if outcome.status == "planned":
            state.reply_text, state.mode = planned_reply(tool.name), Mode.DONE
            return
        if generation.quote_search and isinstance(tool, SearchTool) and outcome.status == "ran":
            quote = quoted_answer(outcome.result)
            if quote is not None:  # the answer is the passage's own statement: nothing left to write
                state.reply_text, state.mode = quote, Mode.DONE
        if not generation.describe_api_results or not isinstance(tool, ApiOperationTool):
            return
        if outcome.status == "ran":
            body = outcome.result.get("body") if isinstance(outcome.result, dict) else ""
            if body is None or isinstance(body, (dict, list)):  # a text body is left to the model
                state.described = describe_result(tool.operation, body, _request(state.history))
        elif outcome.status == "failed":  # the API's reason, unless the model goes on to another tool
            state.described = describe_failure(tool.operation, outcome.error or "")
        elif outcome.status == "declined":  # nobody said yes: nothing to report and no other call to make
            state.reply_text, state.mode = declined_reply(outcome.error or DECLINED), Mode.DONE

    def _abandon_call(self, state: TurnState, reason: str) -> Iterator[Event]:
        assert state.tool is not None
        outcome = ToolOutcome(state.tool.name, {}, "invalid", error=reason)
        yield outcome
        self._queue_result(state, outcome)

    def _execute(self, tool: Tool, call: ToolCall, approve: Approver | None, dry_run: bool) -> ToolOutcome:
        problem = tool.validate(call.arguments)
        if problem is not None:
            return ToolOutcome(tool.name, call.arguments, "invalid", error=problem)
        if dry_run and not tool.local:
            return ToolOutcome(tool.name, call.arguments, "planned", result={"sent": False, "note": PLANNED_ONLY,
                                                                              "planned": call.plan})
        if tool.side_effects:
            if approve is None:
                return ToolOutcome(tool.name, call.arguments, "declined", error=NOBODY_ASKED)
            try:
                approved = approve(call)
            except Unattended:
                raise
            except CannotApprove as reason:
                return ToolOutcome(tool.name, call.arguments, "declined", error=str(reason))
            if not approved:
                return ToolOutcome(tool.name, call.arguments, "declined", error=DECLINED)
        result: ToolResult = tool.call(call.arguments)
        status = "ran" if result.ok else "failed"
        return ToolOutcome(tool.name, call.arguments, status, result.value, result.error, list(result.sources))

    def _hold_for(self, state: TurnState, arguments: dict[str, Any], unstated: str) -> None:
        """Keep the call in the history without `unstated`, the id nobody wrote, and with a tool message that says
        it was not sent for want of it, naming it ("held_for"): the person's answer ("E1006") completes it
        (`follow_ups.held_answer`)."""
        assert state.tool is not None
        error = f"not sent: no message gives its {unstated.replace('_', ' ')}"
        state.new_messages += [
            {"role": "assistant", "content": call_content(state.reply_text, state.tool.toolken,
                                                          arguments_json(arguments, state.tool.parameters))},
            {"role": "tool", "content": json.dumps({"error": error, "held_for": unstated}), "name": state.tool.name},
        ]
        _close_segment(state)  # the lead-in before the call stays shown

    def _queue_result(self, state: TurnState, outcome: ToolOutcome) -> None:
        """Close the call message, add the tool message, and queue both as forced tokens."""
        assert state.tool is not None
        state.outcomes.append(outcome)
        for source in outcome.sources:
            if source not in state.sources:
                state.sources.append(source)
        result = ToolResult(outcome.result, outcome.error).to_message(self.generation.max_tool_result_chars)
        content = call_content(state.reply_text, state.tool.toolken, state.sent_arguments or self._arguments_text(state))
        suffix = self.chat.tool_result_suffix(state.history + state.new_messages, content, result)
        state.new_messages += [
            {"role": "assistant", "content": content},
            {"role": "tool", "content": result, "name": state.tool.name},
        ]
        state.pending.extend((token, False) for token in self.chat.encode(suffix))
        _close_segment(state)
        state.mode = Mode.REPLY

    def _finish(
        self, state: TurnState, prompt: list[int], started: float, stop_reason: str, generation: GenerationConfig
    ) -> Iterator[Event]:
        if generation.state_calculator_result:
            state.reply_text += _calculation_left_unstated(state)
        if not state.reply_text.strip() and not "".join(state.visible).strip():
            state.reply_text = _unfinished_call_reply(state.outcomes)
        yield from self._release(state)
        if state.reply_text or not state.new_messages:
            state.new_messages.append({"role": "assistant", "content": state.reply_text})
        if state.reply_text:
            state.visible.append(state.reply_text)
        if state.sources:
            yield Sources(list(state.sources))
        total = time.perf_counter() - started
        timings = Timings(
            prompt_tokens=len(prompt),
            sampled_tokens=sum(state.sampled),
            forced_tokens=len(state.sampled) - sum(state.sampled),
            first_token_s=state.first_token_s or total,
            tools_s=state.tools_s,
            total_s=total,
            route_s=state.clock.route_s,
            wait_s=state.clock.wait_s,
            prompt_s=state.clock.prompt_s or 0.0,
            prompt_computed=state.clock.prompt_computed,
            shown_s=state.clock.shown_s,
        )
        yield timings
        answer = "".join(state.visible).strip()
        yield FinalAnswer(answer, state.outcomes, state.sources, state.new_messages, timings, stop_reason,
                          guarded=state.guarded, routed=state.routed)

    # -- helpers ----------------------------------------------------------------------------------------

    def _feed_pending(self, state: TurnState) -> Generator[QueueWait, None, torch.Tensor]:
        ids = [token for token, _ in state.pending]
        state.tokens += ids
        state.sampled += [sampled for _, sampled in state.pending]
        state.pending = []
        return (yield from self._compute(state, ids))

    def _compute(self, state: TurnState, new_ids: list[int]) -> Generator[QueueWait, None, torch.Tensor]:
        """The logits after the turn's tokens, which end with `new_ids` (not yet fed)."""
        if state.decoder is not None:
            return state.decoder.feed(new_ids)
        return (yield from self._hold(state))  # the decoder was given back while a person decided

    def _hold(self, state: TurnState) -> Generator[QueueWait, None, torch.Tensor]:
        """Have the turn's decoder hold prompt + tokens and return the logits after them; this costs only what
        the decoder does not hold already. A turn without a decoder leases one first, saying so when it has to
        wait."""
        sequence = state.prompt + state.tokens
        if state.decoder is None:
            decoder = self.decoders.try_lease(sequence)
            if decoder is None:
                yield QueueWait(0.0, started=False)
                asked = time.monotonic()
                decoder = self.decoders.lease(sequence)
                waited = time.monotonic() - asked
                state.clock.wait_s += waited
                yield QueueWait(waited, started=True)
            state.decoder = decoder
        computing = time.perf_counter()
        logits = state.decoder.start(sequence)
        if state.clock.prompt_s is None:  # the turn's first start: its prompt
            state.clock.prompt_s = time.perf_counter() - computing
            state.clock.prompt_computed = state.decoder.computed
        return logits

    def _give_back(self, state: TurnState) -> None:
        if state.decoder is not None:
            self.decoders.give_back(state.decoder)
            state.decoder = None

    def _arguments_text(self, state: TurnState) -> str:
        return self.chat.tokenizer.decode(
            state.argument_ids, skip_special_tokens=True, clean_up_tokenization_spaces=False
        )

    def warm(self, today: date | None = None) -> int:
        """Compile every tool's argument grammar, weigh one message with the router, and have every decoder of
        the pool not yet used hold the opening of a prompt on `today` (None: the day it runs), the system
        message, so that no one's first turn pays for them (a server's first turns come together, and compiling
        holds up every turn that calls; the router's first verdict, its embedder's and the documents' index's
        first use, took 3.4 s under load); for a pool of several decoders, also embed every tool's example requests
        (the first verdict naming a tool had embedded its own: "Thanks, that helps." took 1.3-3.1 s in the router
        as a server's first turns began) and the documents' statements, which one person's terminal would not
        use most of; return how many decoders were warmed."""
        for tool in self.tools.values():
            self.grammars.matcher(tool)
        today = today if today is not None else date.today()
        self._route([{"role": "user", "content": WARMING_MESSAGE}], self.generation, today)
        if self.decoders.size > 1:  # several people's first turns come together; one person's pay for their own
            if self.router is not None and self.router.embed is not None and self.generation.router:
                self.router.warm(served_requests(self.tools.values()))
            search = self.tools.get(SEARCH)
            if isinstance(search, SearchTool):
                search.warm()
        return self.decoders.warm(prompt_opening(self.chat, self.system_prompt, today if self.tell_date else None))

    def _fit_context(
        self, messages: list[dict[str, Any]], generation: GenerationConfig, today: date
    ) -> list[dict[str, Any]]:
        """System prompt (stating `today` unless `tell_date` is off) + the conversation from its earliest start
        that fits the budget (`assistant.context_window`)."""
        return fitted_history(self.chat, messages, self.system_prompt, today if self.tell_date else None,
                              self.max_context_tokens, generation.max_new_tokens)


def _stated_texts(messages: list[dict[str, Any]]) -> list[str]:
    """What `messages` state: their user messages and tool results (a calculator may use their figures), less the
    engine's own notes in the results."""
    return [_without_engine_notes(str(message.get("content") or "")) for message in messages
            if message.get("role") in ("user", "tool")]


def _earlier_codes(codes: list[str], earlier: list[str]) -> list[str]:
    """The codes the chat's `earlier` user messages give of kinds (their shape: SKU-99999) none of `codes` has: "ok
    order 200 more for gdansk from SUP-0311" after "how many SKU-10442 do we have in rotterdam" orders that SKU,
    where the call, kept to the turn's own codes, could write none and ran past its token limit."""
    shapes = {id_shape(code) for code in codes}
    return [code for code in dict.fromkeys(stated_codes(earlier)) if id_shape(code) not in shapes]


def _without_engine_notes(text: str) -> str:
    """`text` less what the engine writes into a tool message (a dry run's result but for its plan, a declined
    call's note): nobody stated it, so no argument may copy it ("put that in the note" after a planned call had
    noted the dry run; "and SHP-207346 as well" had noted "sent")."""
    if PLANNED_ONLY in text:
        try:
            data = json.loads(text)
            data = data.get("result", data)  # a tool message wraps the result, `ToolOutcome.result` is bare
            return json.dumps(data["planned"], ensure_ascii=False)
        except (ValueError, AttributeError, KeyError, TypeError):
            pass  # cut short: the note alone goes
    for note in (PLANNED_ONLY, DECLINED, NOBODY_ASKED):
        text = text.replace(note, "")
    return text


def _masked_likeliest(logits: torch.Tensor, rejected: Callable[[int], bool]) -> tuple[torch.Tensor, bool]:
    """A copy of `logits` (vocab,) with those of its FIGURE_CANDIDATES likeliest tokens that are `rejected`
    masked, and whether any of them (not already masked) was kept."""
    kept = logits.clone()
    candidates = torch.topk(logits, min(FIGURE_CANDIDATES, logits.numel()))
    any_kept = False
    for value, token in zip(candidates.values.tolist(), candidates.indices.tolist(), strict=True):
        if value == float("-inf"):
            break
        if rejected(token):
            kept[token] = float("-inf")
        else:
            any_kept = True
    return kept, any_kept


def _close_segment(state: TurnState) -> None:
    """End the reply segment and the call being written: the segment's text joins what was shown, and the next
    segment starts empty."""
    if state.reply_text:
        state.visible.append(state.reply_text)
    state.reply_ids, state.reply_text, state.reply_window, state.streamed = [], "", (0, 0), 0
    state.holding = False
    state.tool, state.matcher, state.argument_ids, state.sent_arguments = None, None, [], None


def _request(history: list[dict[str, Any]]) -> str:
    """The person's message this turn answers: the conversation's last user message."""
    return next((str(m.get("content") or "") for m in reversed(history) if m.get("role") == "user"), "")


def _unfinished_call_reply(outcomes: list[ToolOutcome]) -> str:
    """The reply to a turn that ended with no words after a call it could not write (its arguments ran past the
    limit, or left the grammar, and the turn's tokens were spent): what was not done and why, rather than nothing.
    Empty where the last call was not such a call."""
    if not outcomes or outcomes[-1].status != "invalid":
        return ""
    last = outcomes[-1]
    return f"Nothing was sent: I could not write the {last.tool.removeprefix('api.')} call ({last.error}). " \
        f"Please ask again, giving each detail once."


def _calculation_left_unstated(state: TurnState) -> str:
    """The calculation as a sentence to append ("\n\n48/64*100 = 75") when the turn's last call was a
    calculator that ran and the reply after it does not end on its result; otherwise ""."""
    last = state.outcomes[-1] if state.outcomes else None
    if last is None or last.tool != Calculator.name or last.status != "ran" or not isinstance(last.result, dict):
        return ""
    result = str(last.result.get("text") or last.result.get("result") or "")
    if not result or ends_on(state.reply_text, result):
        return ""
    separator = "\n\n" if state.reply_text.strip() else ""
    return f"{separator}{last.result.get('expression', '')} = {result}"

"""The staff chat: streamed answers with their tool steps, confirmations, ratings, corrections and history."""

from __future__ import annotations

import html
import time
from typing import Any

import gradio as gr

from assistant.events import QueueWait, TurnLogged
from ui.render import TurnView, approval_text, record_messages
from ui.services import Services
from ui.turns import ApprovalNeeded, NotYours

AUTOMATIC = "Tool: automatic"
#: The browser asks before a chat is deleted; the handler gets None (and does nothing) when the person cancels.
CONFIRM_DELETE = "(chat) => (chat && confirm('Delete this chat and its ratings? This cannot be undone.')) ? chat : null"
EXAMPLES = [
    "What is 17% of 2340?",
    "How many days of annual leave do I get?",
    "I'm E1009, book meeting room Zephyr tomorrow from 10 to 11 for the IT sync",
    "Which meeting rooms are free this afternoon?",
]


#: A stored rating as the chat's thumb (Gradio's feedback value for one answer).
FEEDBACK = {1: "Like", -1: "Dislike"}


def header_html(title: str, user: str, is_admin: bool, here: str) -> str:
    """The page header: the product name, who is logged in, links to the other page and to log out."""
    links = []
    if here == "console":
        links.append('<a href="/">Chat</a>')
    elif is_admin:
        links.append('<a href="/console/">Console</a>')
    links.append('<a href="/logout">Log out</a>')
    role = "admin" if is_admin else "staff"
    return (f'<div class="app-header"><span class="app-title">{html.escape(title)}</span>'
            f'<span class="app-user">{html.escape(user)} · {role} &nbsp; {" &nbsp; ".join(links)}</span></div>')


def _history_choices(services: Services, user: str) -> list[tuple[str, str]]:
    return [(f"{c['title'][:48]} · {time.strftime('%d %b %H:%M', time.localtime(c['updated_at']))}", c["id"])
            for c in services.chat.conversations(user)]


def _answer_choices(services: Services, user: str, conversation_id: str | None) -> list[tuple[str, int]]:
    if conversation_id is None:
        return []
    turns = services.chat.turns(user, conversation_id)
    return [(f"#{t.position + 1}: {t.question[:60]}", t.id) for t in turns]


def create_chat_tab(services: Services) -> dict[str, Any]:
    """The chat page's components and events; returns the components by name (the tests look them up)."""
    conversation = gr.State(None)  # the open conversation's id
    turn_ids = gr.State([])  # per chatbot message: the logged turn it belongs to (None while streaming)
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=230, elem_classes="sidebar"):
            new_chat = gr.Button("+ New chat", variant="secondary", elem_id="new-chat")
            history = gr.Radio(label="Your chats", choices=[], value=None, elem_id="history", elem_classes="history")
            delete = gr.Button("Delete this chat", size="sm", variant="secondary", elem_id="delete-chat",
                               visible=False)  # shown while a chat is open
        with gr.Column(scale=4):
            chatbot = gr.Chatbot(
                label="Assistant", show_label=False, height=540, elem_id="chatbot", buttons=["copy"],
                placeholder="**Ask me anything about Northwind Labs.**<br>I can calculate, search the handbook "
                            "and use the company's systems. Changes are only sent after you confirm them.",
                examples=[{"text": text} for text in EXAMPLES], feedback_options=("Like", "Dislike"),
            )
            # a Column: a Group draws its id and class on two nested elements
            with gr.Column(visible=False, elem_id="approval", elem_classes="approval") as approval:
                approval_md = gr.Markdown()
                # The id of the call shown in the box: it travels with Send or Cancel from the page, so the
                # decision is for this call only (a click that reaches the server after another call is
                # shown names the old id and is void).
                approval_id = gr.Textbox(visible=False, elem_id="approval-id")
                with gr.Row():
                    send = gr.Button("Send", variant="primary", elem_id="approve-send")
                    cancel = gr.Button("Cancel", variant="secondary", elem_id="approve-cancel")
            with gr.Row(equal_height=True):
                question = gr.Textbox(show_label=False, placeholder="Ask a question…", scale=8, autofocus=True,
                                      elem_id="question", submit_btn=True)
                tool = gr.Dropdown([AUTOMATIC, *services.tool_names], value=AUTOMATIC, show_label=False, scale=2,
                                   min_width=150, elem_id="tool-pick", container=False)
            note = gr.Markdown(elem_id="turn-note", elem_classes="turn-note")
            with gr.Accordion("Suggest a better answer", open=False, elem_id="correction"):
                answer_pick = gr.Dropdown(label="Answer to improve", choices=[], elem_id="answer-pick")
                correction = gr.Textbox(label="What the assistant should have answered", lines=3,
                                        elem_id="correction-text")
                save_correction = gr.Button("Save suggestion", elem_id="save-correction")

    def answer(text: str, tool_name: str, messages: list, conversation_id: str | None, ids: list,
               request: gr.Request):
        text = (text or "").strip()
        if not text:
            yield (gr.skip(),) * len(outputs)
            return
        try:
            runner = services.chat.start_turn(request.session_hash, request.username, text, conversation_id,
                                              force_tool=None if tool_name == AUTOMATIC else tool_name)
        except NotYours as exc:
            raise gr.Error(str(exc)) from None
        messages = [*messages, {"role": "user", "content": text}]
        ids = [*ids, None]
        view = TurnView()
        if tool_name != AUTOMATIC:
            view.expect_call(tool_name)
        hidden = gr.Column(visible=False)
        yield messages + view.messages(), "", hidden, "", "", conversation_id, ids, "…"
        try:
            yield from _stream(runner, view, messages, conversation_id, ids)
        except ValueError as exc:  # a question too long for the context, and the like: say so on the page
            raise gr.Error(str(exc)) from None
        finally:  # the page went away (closed, reloaded): a call nobody can confirm any more is declined
            runner.decline()

    def _stream(runner, view: TurnView, messages: list, conversation_id: str | None, ids: list):
        hidden = gr.Column(visible=False)
        for event in runner.events():
            view.add(event)
            if isinstance(event, QueueWait):
                yield messages + view.messages(), "", hidden, "", "", conversation_id, ids, view.note()
                continue
            if isinstance(event, ApprovalNeeded):
                yield messages + view.messages(), "", gr.Column(visible=True), approval_text(event.call), \
                    event.approval_id, conversation_id, ids, "Waiting for your confirmation"
                continue
            if isinstance(event, TurnLogged):
                conversation_id = event.conversation_id
                ids = [*ids[:-1], event.turn_id]
            shown = view.messages()
            yield (messages + shown, "", hidden, "", "", conversation_id, ids + [ids[-1]] * len(shown),
                   view.note())

    def decide(approved: bool):
        def handler(shown_id: str, request: gr.Request):
            services.chat.decide(request.session_hash, shown_id, approved)  # void unless shown_id still waits
            return gr.Column(visible=False), ""
        return handler

    def refresh_side(conversation_id: str | None, request: gr.Request):
        choices = _answer_choices(services, request.username, conversation_id)
        return (gr.Radio(choices=_history_choices(services, request.username), value=conversation_id),
                gr.Dropdown(choices=choices, value=choices[-1][1] if choices else None),
                gr.Button(visible=conversation_id is not None))

    def reopen(conversation_id: str | None, request: gr.Request):
        if conversation_id is None:
            return (gr.skip(),) * 6
        try:
            turns = services.chat.turns(request.username, conversation_id)
            ratings = services.chat.ratings(request.username, conversation_id)
        except NotYours as exc:
            raise gr.Error(str(exc)) from None
        messages, ids = [], []
        for turn in turns:
            shown = record_messages(turn)
            messages += shown
            ids += [turn.id] * len(shown)
        # one thumb per answer (the assistant messages after a question), as the person left it
        thumbs = [FEEDBACK.get(ratings.get(turn.id)) for turn in turns]
        choices = [(f"#{t.position + 1}: {t.question[:60]}", t.id) for t in turns]
        return (gr.Chatbot(value=messages, feedback_value=thumbs), conversation_id, ids,
                gr.Dropdown(choices=choices, value=choices[-1][1] if choices else None), "", gr.Button(visible=True))

    def start_new():
        return ([], None, [], gr.Radio(value=None), gr.Dropdown(choices=[], value=None), "",
                gr.Button(visible=False))

    def delete_current(conversation_id: str | None, request: gr.Request):
        if conversation_id is None:  # no chat open, or the person cancelled the browser's question
            return (gr.skip(),) * 7
        services.chat.delete(request.username, conversation_id)
        gr.Info("Chat deleted.")
        return ([], None, [], gr.Radio(choices=_history_choices(services, request.username), value=None),
                gr.Dropdown(choices=[], value=None), "", gr.Button(visible=False))

    def rate(ids: list, data: gr.LikeData, request: gr.Request):
        index = data.index if isinstance(data.index, int) else data.index[0]
        turn = ids[index] if 0 <= index < len(ids) else None
        if turn is None or data.liked not in (True, False):
            return
        services.chat.rate(request.username, turn, 1 if data.liked else -1)
        gr.Info("Thanks, your rating is saved.")

    def suggest(turn: int | None, text: str, request: gr.Request):
        if turn is None:
            raise gr.Error("Pick the answer to improve first.")
        try:
            services.chat.rate(request.username, int(turn), -1, text)
        except (ValueError, NotYours) as exc:
            raise gr.Error(str(exc)) from None
        gr.Info("Thanks, your suggestion is saved.")
        return ""

    def leave(request: gr.Request):
        # The page is closed or reloaded: a call waiting in it is declined now (nobody can confirm it any more),
        # which also ends the turn; the streaming request alone notices only when the turn next yields.
        services.chat.leave(request.session_hash)

    def pick_example(data: gr.SelectData) -> str:
        return data.value["text"]

    outputs = [chatbot, question, approval, approval_md, approval_id, conversation, turn_ids, note]
    submitted = question.submit(answer, [question, tool, chatbot, conversation, turn_ids], outputs,
                                concurrency_limit=16, show_progress="hidden")
    submitted.then(refresh_side, [conversation], [history, answer_pick, delete])
    chatbot.example_select(pick_example, None, question).then(
        answer, [question, tool, chatbot, conversation, turn_ids], outputs, concurrency_limit=16,
        show_progress="hidden").then(refresh_side, [conversation], [history, answer_pick, delete])
    send.click(decide(True), [approval_id], [approval, approval_id], concurrency_limit=None)
    cancel.click(decide(False), [approval_id], [approval, approval_id], concurrency_limit=None)
    history.input(reopen, [history], [chatbot, conversation, turn_ids, answer_pick, note, delete])
    cleared = [chatbot, conversation, turn_ids, history, answer_pick, note, delete]
    new_chat.click(start_new, None, cleared)
    chatbot.clear(start_new, None, cleared)
    # the open chat is the history's selection (a State never reaches the browser, where the question is asked)
    delete.click(delete_current, [history], cleared, js=CONFIRM_DELETE)
    chatbot.like(rate, [turn_ids], None)
    save_correction.click(suggest, [answer_pick, correction], [correction])
    return {"chatbot": chatbot, "history": history, "question": question, "refresh_side": refresh_side,
            "conversation": conversation, "answer_pick": answer_pick, "delete": delete, "leave": leave}

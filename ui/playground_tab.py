"""Console · Playground: generation parameters, a model per column, the same prompt side by side."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from assistant.events import TextDelta
from ui.render import TurnView
from ui.services import Refresh, Services

BASE = "base model (no adapter)"
NONE = "(one column only)"


def model_choices(services: Services) -> list[tuple[str, str]]:
    """(label, value) per model a column can use: the base model, the adapter answering now when the registry
    does not hold it (the shipped demo adapter, or one the config names), then each adapter of the registry."""
    choices = [(BASE, "")]
    registered = services.adapters().list()
    answering = services.assistant.loaded.adapter
    if answering is not None and all(Path(answering) != info.path for info in registered):
        choices.append((f"{Path(answering).name} (serving)", str(answering)))
    for info in registered:
        choices.append((f"{info.name} ({info.status})", str(info.path)))
    return choices


def create_playground_tab(services: Services) -> list[Refresh]:
    """The playground's components and events; returns what to refresh when the tab is shown."""
    generation = services.config.generation
    with gr.Row():
        with gr.Column(scale=3):
            prompt = gr.Textbox(label="Prompt", lines=3, value="What is 17% of 2340?", elem_id="pg-prompt")
            with gr.Row():
                left = gr.Dropdown(label="Left column", choices=[(BASE, "")], value="", elem_id="pg-left")
                right = gr.Dropdown(label="Right column", choices=[(NONE, "none"), (BASE, "")], value="none",
                                    elem_id="pg-right", info="An adapter to compare with the left column.")
                force = gr.Dropdown(label="Start with a tool", choices=["(model decides)", *services.tool_names],
                                    value="(model decides)")
            run = gr.Button("Run", variant="primary", elem_id="pg-run")
        with gr.Column(scale=2):
            temperature = gr.Slider(0.0, 2.0, generation.temperature, step=0.05, label="Temperature (0: greedy)")
            top_k = gr.Slider(0, 200, generation.top_k, step=1, label="top_k (0: off)")
            top_p = gr.Slider(0.05, 1.0, generation.top_p, step=0.05, label="top_p")
            repetition = gr.Slider(1.0, 2.0, generation.repetition_penalty, step=0.05, label="Repetition penalty")
            max_tokens = gr.Slider(8, 1024, generation.max_new_tokens, step=8, label="Max new tokens")
            bias = gr.Slider(-10.0, 10.0, generation.toolken_bias, step=0.5, label="Toolken bias")
    gr.Markdown("Playground turns are dry runs: API calls are planned and shown, never sent; nothing is logged.",
                elem_classes="hint")
    with gr.Row():
        with gr.Column():
            left_out = gr.Chatbot(label="Left", height=380, elem_id="pg-left-out", feedback_options=None, buttons=["copy"],
                                  placeholder="Run a prompt: the answer, with its tool steps, appears here.")
            left_note = gr.Markdown()
        with gr.Column():
            right_out = gr.Chatbot(label="Right", height=380, elem_id="pg-right-out", feedback_options=None,
                                   buttons=["copy"],
                                   placeholder="Pick a second model to compare on the same prompt.")
            right_note = gr.Markdown()

    def compare(text, left_model, right_model, tool, t, k, p, rep, new_tokens, toolken_bias):
        try:
            params = services.generation(temperature=t, top_k=int(k), top_p=p, repetition_penalty=rep,
                                         max_new_tokens=int(new_tokens), toolken_bias=toolken_bias)
            columns = [Path(left_model) if left_model else None]
            if right_model not in (None, "none"):
                columns.append(Path(right_model) if right_model else None)
            runner = services.playground.compare(text, params, columns,
                                                 None if tool == "(model decides)" else tool)
        except ValueError as exc:
            raise gr.Error(str(exc)) from None
        views = [TurnView() for _ in columns]
        for view in views if tool != "(model decides)" else []:
            view.expect_call(tool)
        user = [{"role": "user", "content": text}]
        tokens = 0
        for column, event in runner.events():
            views[column].add(event)
            tokens += isinstance(event, TextDelta)
            if not isinstance(event, TextDelta) or tokens % 4 == 0:  # fewer page updates, same stream
                yield _outputs(user, views)
        yield _outputs(user, views)

    def _outputs(user, views):
        right_messages = user + views[1].messages() if len(views) > 1 else []
        return user + views[0].messages(), views[0].note(), right_messages, views[1].note() if len(views) > 1 else ""

    run.click(compare, [prompt, left, right, force, temperature, top_k, top_p, repetition, max_tokens, bias],
              [left_out, left_note, right_out, right_note])
    def refresh():
        choices = model_choices(services)
        return gr.Dropdown(choices=choices), gr.Dropdown(choices=[(NONE, "none"), *choices])

    return [(refresh, [left, right])]

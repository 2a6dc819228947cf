"""Console · Feedback: the rated turns, filtered, and exported as a training dataset."""

from __future__ import annotations

import time

import gradio as gr

from finetune.dataset_store import DATASETS_DIR, check_name, feedback_dataset_records, save_dataset
from ui.services import Refresh, Services

HEADERS = ["turn", "rated", "by", "rating", "question", "answer", "suggested answer", "model"]
RATINGS = {"all": None, "up": 1, "down": -1}
CORRECTED = {"any": None, "with a suggested answer": True, "without": False}


def feedback_rows(rows: list[dict]) -> list[list]:
    return [[r["turn_id"], time.strftime("%d %b %H:%M", time.localtime(r["rated_at"])), r["user"],
             {1: "up", -1: "down"}.get(r["rating"], "-"), r["question"][:200], r["answer"][:200],
             (r["correction"] or "")[:200], r["model"]] for r in rows]


def create_feedback_tab(services: Services) -> list[Refresh]:
    """The feedback tab; returns what to refresh when it is shown."""
    with gr.Row():
        rating = gr.Dropdown(label="Rating", choices=list(RATINGS), value="all", elem_id="fb-rating")
        corrected = gr.Dropdown(label="Suggested answer", choices=list(CORRECTED), value="any")
        user = gr.Textbox(label="Rated by", placeholder="any user")
        text = gr.Textbox(label="Question or answer contains", elem_id="fb-text")
        apply = gr.Button("Filter", elem_id="fb-filter")
    table = gr.Dataframe(headers=HEADERS, label="Rated answers (latest rating of each)", interactive=False,
                         wrap=True, elem_id="fb-table")
    with gr.Row():
        name = gr.Textbox(label="Export the rows shown as dataset", placeholder="feedback-dataset", scale=3,
                          elem_id="fb-name")
        export = gr.Button("Export", variant="primary", scale=1, elem_id="fb-export")
    result = gr.Markdown(elem_id="fb-result")
    shown = gr.State([])

    def query(rating_label, corrected_label, rated_by, contains):
        rows = services.assistant.store.feedback(rating=RATINGS[rating_label], corrected=CORRECTED[corrected_label],
                                                 user=(rated_by or "").strip() or None,
                                                 text=(contains or "").strip() or None)
        return feedback_rows(rows), [row["turn_id"] for row in rows]

    def on_export(turn_ids: list[int], dataset_name: str):
        try:
            records = feedback_dataset_records(services.assistant.store.path, set(turn_ids))
            if not records:
                raise ValueError("none of the rows shown makes a training example (rate up, or suggest an answer)")
            folder = services.home / DATASETS_DIR / check_name((dataset_name or "").strip())
            info = save_dataset(records, folder, eval_fraction=0.0, origin={"feedback_turns": sorted(turn_ids)})
        except (ValueError, FileExistsError) as exc:
            raise gr.Error(str(exc)) from None
        return f"Saved **{info.name}**: {info.train_records} records; pick it in the Training tab."

    filters = [rating, corrected, user, text]
    apply.click(query, filters, [table, shown])
    text.submit(query, filters, [table, shown])
    export.click(on_export, [shown, name], [result])
    return [(query, [table, shown], filters)]

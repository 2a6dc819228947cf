"""Console · Training: pick model, dataset and method, edit hyperparameters, queue the job, watch it live.

The job runs as `assistant train` in its own process (see `ui.jobs`); this tab only reads the queue,
the job's log and its progress file, so a reload or a closed browser changes nothing about the run.
"""

from __future__ import annotations

import time
from pathlib import Path

import gradio as gr
import pandas as pd

from assistant.config import ConfigError
from finetune.dataset_store import check_name, list_datasets
from finetune.presets import compose_train_config, presets
from finetune.progress import PROGRESS_FILE, read_progress
from ui.jobs import Job, JobError, read_log
from ui.services import Refresh, Services

METHODS = ["auto", "lora", "qlora", "ia3", "prompt-tuning", "full"]
JOB_HEADERS = ["id", "adapter", "status", "by", "submitted", "ran for", "progress"]
EMBEDDED = "embedded SmolLM2-135M-Instruct"
#: Lines of the job's log the log box shows: its tail, where the run is now (the box has room for a few of
#: them to wrap).
LOG_LINES = 10
#: The loss chart's step axis spans at least this many steps: over a shorter span the chart's automatic ticks
#: fall between steps (1, 1.2, 1.4, ...), which do not exist.
MIN_AXIS_STEPS = 10


def job_rows(jobs: list[Job]) -> list[list]:
    rows = []
    for job in jobs:
        progress = read_progress(job.output_dir / PROGRESS_FILE) if job.started_at else None
        done = f"{progress.step}/{progress.max_steps}" if progress and progress.max_steps else "-"
        rows.append([job.id, job.name, job.status, job.submitted_by,
                     time.strftime("%d %b %H:%M", time.localtime(job.created_at)), f"{job.elapsed_s():.0f} s", done])
    return rows


def loss_frame(losses: list[tuple[int, float]]) -> pd.DataFrame | None:
    """(step, loss) rows of the training loss for the plot; None before the first point. (The page builds
    the chart from its first data: an empty frame, or a second series arriving later, would not be drawn.)"""
    if not losses:
        return None
    return pd.DataFrame(losses, columns=["step", "loss"]).astype({"step": "int64", "loss": "float64"})


def step_axis(max_steps: int | None, losses: list[tuple[int, float]]) -> list[float]:
    """The loss chart's step range: the whole run (so the curve shows how far it has come), whole steps only."""
    last = max([max_steps or 0, *(step for step, _ in losses)])
    return [0, max(last, MIN_AXIS_STEPS)]


def job_detail(job: Job | None) -> tuple[str, pd.DataFrame | None, list[float], str]:
    """The status line, the loss curve and its step range, and the log's last lines, of one job."""
    if job is None:
        return "No job yet.", None, step_axis(None, []), ""
    progress = read_progress(job.output_dir / PROGRESS_FILE)
    frame = loss_frame(progress.losses)
    line = f"**Job {job.id} · {job.name}: {job.status}**"
    if progress.max_steps:
        line += f" · step {progress.step} of {progress.max_steps} ({100 * progress.fraction:.0f}%)"
    if progress.losses:
        line += f" · loss {progress.losses[-1][1]:.3f}"
    if progress.eval_losses:
        line += " · eval loss " + " → ".join(f"{loss:.3f}" for _, loss in progress.eval_losses)
    if job.started_at:
        line += f" · {job.elapsed_s():.0f} s"
    if job.error:
        line += f"\n\n{job.error}"
    if job.status == "succeeded":
        line += f"\n\nThe adapter is in `{job.output_dir}`; promote it in the Adapters tab."
    log = read_log(job.log_path, 6000).replace("\r", "\n")
    log = "\n".join([line for line in log.splitlines() if line.strip()][-LOG_LINES:])
    return line, frame, step_axis(progress.max_steps, progress.losses), log


def create_training_tab(services: Services) -> list[Refresh]:
    """The training tab; returns what to refresh when it is shown."""
    shipped = presets()
    with gr.Row(equal_height=False):
        with gr.Column(scale=2):
            with gr.Row():
                base = gr.Dropdown(label="Base model", choices=[(EMBEDDED, EMBEDDED)], value=EMBEDDED,
                                   elem_id="tr-base")
                dataset = gr.Dropdown(label="Dataset", choices=[], elem_id="tr-dataset")
            with gr.Row():
                method = gr.Dropdown(label="Method (auto: QLoRA on a GPU, LoRA on CPU)", choices=METHODS,
                                     value="auto", elem_id="tr-method")
                preset = gr.Dropdown(label="Hyperparameter preset", choices=list(shipped),
                                     value="tiny-smoke" if "tiny-smoke" in shipped else None, elem_id="tr-preset")
            name = gr.Textbox(label="Adapter name", elem_id="tr-name")
            hyper = gr.Code(shipped.get("tiny-smoke", ""), language="yaml", lines=16, label="Hyperparameters (YAML)",
                            elem_id="tr-yaml")
            with gr.Row():
                validate = gr.Button("Validate", elem_id="tr-validate")
                start = gr.Button("Start training", variant="primary", elem_id="tr-start")
            verdict = gr.Markdown(elem_id="tr-verdict")
        with gr.Column(scale=3):
            status = gr.Markdown("No job yet.", elem_id="tr-status")
            curve = gr.LinePlot(x="step", y="loss", label="Training loss", height=300, elem_id="tr-curve",
                                x_lim=step_axis(None, []), x_axis_format="d")
            with gr.Row():
                job_pick = gr.Dropdown(label="Job", choices=[], elem_id="tr-job", scale=3)
                cancel = gr.Button("Cancel job", variant="stop", elem_id="tr-cancel", scale=1)
            log = gr.Textbox(label="Log", lines=15, max_lines=15, autoscroll=True, elem_id="tr-log")
    jobs_table = gr.Dataframe(headers=JOB_HEADERS, label="Queue (one job runs at a time)", interactive=False,
                              elem_id="tr-jobs")
    timer = gr.Timer(2.0)

    def config_from(base_model, dataset_path, method_name, yaml_text, adapter):
        if not dataset_path:
            raise ConfigError("pick a dataset")
        adapter = check_name((adapter or "").strip())
        output = services.adapters().root / adapter
        if output.exists():
            raise ConfigError(f"an adapter named {adapter!r} exists already; choose another name")
        return adapter, output, compose_train_config(
            yaml_text, base_model=None if base_model == EMBEDDED else Path(base_model), dataset=Path(dataset_path),
            method=method_name, output_dir=output, tools=services.config.tools,
            system_prompt=services.config.system_prompt)

    def on_validate(base_model, dataset_path, method_name, yaml_text, adapter):
        try:
            _, _, config = config_from(base_model, dataset_path, method_name, yaml_text, adapter)
        except (ConfigError, ValueError) as exc:
            return f"Not valid: {exc}"
        optim = config.optim
        steps = f"{optim.max_steps} steps" if optim.max_steps else f"{optim.epochs:g} epochs"
        return f"**Valid:** {config.method}, {steps}, learning rate {optim.learning_rate:g}, batch {optim.batch_size}."

    def on_start(base_model, dataset_path, method_name, yaml_text, adapter, request: gr.Request):
        try:
            adapter, output, config = config_from(base_model, dataset_path, method_name, yaml_text, adapter)
            job = services.jobs.submit(adapter, config.model_dump(mode="json"), output, request.username)
        except (ConfigError, ValueError, JobError) as exc:
            return f"Not valid: {exc}", gr.skip()
        services.jobs.poll()
        return f"Queued job {job.id} for **{adapter}**.", gr.Dropdown(choices=_job_choices(services), value=job.id)

    def on_cancel(job_id):
        if job_id is None:
            raise gr.Error("Pick a job first.")
        try:
            job = services.jobs.cancel(int(job_id))
        except JobError as exc:
            raise gr.Error(str(exc)) from None
        gr.Info(f"Job {job.id} cancelled.")

    def on_tick(job_id):
        jobs = services.jobs.jobs()
        job = next((j for j in jobs if j.id == job_id), jobs[0] if jobs else None)
        line, frame, axis, text = job_detail(job)
        return job_rows(jobs), line, gr.LinePlot(value=frame, x_lim=axis), text

    def refresh():
        datasets = list_datasets(services.home)
        configured = services.config.model.path
        base_models = [(EMBEDDED, EMBEDDED)] + ([(f"serving model ({configured.name})", str(configured))]
                                                if configured else [])
        jobs = _job_choices(services)
        return (gr.Dropdown(choices=[(d.name, str(d.path)) for d in datasets],
                            value=str(datasets[0].path) if datasets else None),
                gr.Dropdown(choices=base_models), gr.Dropdown(choices=jobs, value=jobs[0][1] if jobs else None),
                time.strftime("adapter-%Y%m%d-%H%M%S"))

    preset.input(lambda chosen: shipped.get(chosen, ""), [preset], [hyper])
    inputs = [base, dataset, method, hyper, name]
    validate.click(on_validate, inputs, [verdict])
    start.click(on_start, inputs, [verdict, job_pick])
    cancel.click(on_cancel, [job_pick], None)
    timer.tick(on_tick, [job_pick], [jobs_table, status, curve, log], show_progress="hidden")
    job_pick.change(on_tick, [job_pick], [jobs_table, status, curve, log], show_progress="hidden")
    return [(refresh, [dataset, base, job_pick, name])]


def _job_choices(services: Services) -> list[tuple[str, int]]:
    return [(f"job {job.id} · {job.name}", job.id) for job in services.jobs.jobs()]

"""`assistant`: the command line. Each subcommand is a thin layer over importable functions."""

from __future__ import annotations

import os

# Nothing may reach a hub at run time; set before transformers or huggingface_hub are imported.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import TextIO

from assistant.config import AssistantConfig, ConfigError, load_config, read_yaml_mapping, resolve_home
from assistant.tables import figure, table

EXIT_USAGE = 2


class UsageError(ValueError):
    """A command-line argument that cannot be used; the message says which and why."""


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    _quiet_libraries(args.verbose)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except Exception as exc:
        if not is_user_error(exc):
            raise  # a bug: its traceback is what the report needs
        print(f"error: {_one_line(str(exc))}", file=sys.stderr)
        return EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="On-premise chat assistant with tools.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    chat = _command(commands, "chat", "chat in the terminal, with tool steps shown", _run_chat)
    _add_turn_options(chat)

    ask = _command(commands, "ask", "answer one question and exit", _run_ask)
    ask.add_argument("question", help="the question, in plain words")
    ask.add_argument("--json", action="store_true", help="print exactly one JSON object: answer, tool_calls, sources")
    ask.add_argument("--tool", metavar="NAME", help="make the answer start with a call of this tool")
    _add_turn_options(ask)

    ingest = _command(commands, "ingest", "add a folder of .md, .txt and .pdf files to the document store", _run_ingest)
    ingest.add_argument("folder", type=Path)
    ingest.add_argument("--prune", action="store_true", help="also remove documents no longer in the folder")

    build = _command(commands, "build-data", "build train/eval datasets from the catalog, documents and feedback",
                     _run_build_data)
    build.add_argument("--catalog", type=Path, help="OpenAPI file (default: the configured catalog)")
    build.add_argument("--docs", type=Path, help="documents folder (default: the configured docs)")
    build.add_argument("--instructions", type=Path, nargs="*", default=[],
                       help="instruction files to mix in (Alpaca, ShareGPT or messages JSONL)")
    build.add_argument("--output", type=Path, help="output folder (default: data/ in the state dir)")
    build.add_argument("--seed", type=int, default=0)
    build.add_argument("--today", type=date.fromisoformat, metavar="YYYY-MM-DD",
                       help="the date examples treat as today (default: the day of the build); a rebuild with the "
                       "first build's date reproduces its relative dates")
    build.add_argument("--new-split", action="store_true",
                       help="split every question afresh; by default a rebuild keeps the questions already in the "
                       "output folder on their side of the split")
    # Counts default to BuildDataConfig's (None here), so the two cannot drift apart.
    build.add_argument("--per-operation", type=int, help="examples per API operation (default 40)")
    build.add_argument("--calculator", type=int, help="calculator examples (default 960)")
    build.add_argument("--no-call", type=int, help="no-tool examples from base-model replies (default 200)")

    train = _command(commands, "train", "train an adapter with toolkens from a YAML config", _run_train)
    train.add_argument("train_config", type=Path, metavar="CONFIG", help="training YAML (see data/train/)")

    router = _command(commands, "fit-router", "fit the tool router of an adapter on a built dataset (seconds)",
                      _run_fit_router)
    router.add_argument("adapter", type=Path, metavar="ADAPTER", help="adapter folder; its router.json is (re)written")
    router.add_argument("--data", type=Path, help="build-data folder (default: data/ in the state dir)")
    router.add_argument("--catalog", type=Path, help="OpenAPI file (default: the configured catalog)")
    router.add_argument("--docs", type=Path, help="documents folder (default: the configured docs)")
    router.add_argument("--examples", nargs="+", default=[], metavar="JSONL",
                        help="files (or quoted globs) of labelled messages, as the eval sets write them, fitted "
                        "on beside the dataset")

    evaluate = _command(commands, "eval", "evaluate the model (and adapter) on eval sets", _run_eval)
    _add_model_options(evaluate)
    evaluate.add_argument("--tools", type=Path, help='tool queries JSONL {"q", "tool", "args"}')
    evaluate.add_argument("--calc", type=Path, help='calculator questions JSONL {"q", "answer"}')
    evaluate.add_argument("--docs-questions", type=Path, help='document questions JSONL {"q", "keywords", "any", "source"}')
    evaluate.add_argument("--chats", type=Path, help='written chats JSONL {"turns": [{"q", "tool", "args"}, ...]}: '
                          "each message goes on from the ones before it")
    evaluate.add_argument("--test-set", help="a frozen hand-written test set instead of the files above: demo, "
                          "harbor or a folder with manifest.json (its requests' today is the manifest's date)")
    evaluate.add_argument("--funcqa", type=Path, nargs="?", const=True, default=None,
                          help="also run FuncQA one-hop (default file: ../shared/benchmarks/funcqa)")
    evaluate.add_argument("--limit", type=int, help="items per set")
    evaluate.add_argument("--chat-turns", type=int, metavar="N",
                          help="ask each set's items in chats of N turns, each after the ones before it and the "
                               "answers to them (default: each alone)")
    evaluate.add_argument("--max-new-tokens", type=int, help="override generation.max_new_tokens")
    evaluate.add_argument("--out", type=Path, help="folder for metrics.json and predictions.jsonl")

    serve = _command(commands, "serve", "start the web app: staff chat and the admin console", _run_serve)
    _add_model_options(serve)
    serve.add_argument("--host", help="address to listen on (default: serve.host, 127.0.0.1)")
    serve.add_argument("--port", type=_tcp_port, help="TCP port, 1 to 65535 (default: serve.port, 7860)")

    password = commands.add_parser("hash-password", help="print the hash of a password for serve.users",
                                   description="print the hash of a password for serve.users")
    password.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    password.add_argument("-v", "--verbose", action="store_true", help=argparse.SUPPRESS)
    password.set_defaults(run=_run_hash_password)

    retrain = _command(commands, "retrain", "train an adapter on new staff feedback; promote it if it passes the gate",
                       _run_retrain)
    retrain.add_argument("--dry-run", action="store_true", help="say what would be trained, change nothing")
    retrain.add_argument("--force", action="store_true", help="train even on fewer than retrain.min_feedback turns")
    retrain.add_argument("--trigger", help=argparse.SUPPRESS)  # what started the run, for lineage: the server's schedule

    adapters = commands.add_parser("adapters", help="list the adapters, promote one, roll back",
                                   description="list the adapters, promote one, roll back")
    actions = adapters.add_subparsers(required=True, metavar="ACTION")
    _command(actions, "list", "every adapter with its status, parent and gate reason", _run_adapters_list)
    promote = _command(actions, "promote", "serve this adapter from the next turn on", _run_adapters_promote)
    promote.add_argument("name")
    rollback = _command(actions, "rollback", "serve again the adapter before the current one, or NAME",
                        _run_adapters_rollback)
    rollback.add_argument("name", nargs="?", help="an adapter that served before (default: the previous one)")

    demo = _command(commands, "demo-api", "serve the demo company's API (HTTP, SQLite behind it)", _run_demo_api)
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=_tcp_port, default=None, help="TCP port, 1 to 65535 (default: 8765)")
    demo.add_argument("--db", type=Path, default=None, help="SQLite file; default: demo-api.db in the state dir")
    return parser


def _command(commands, name: str, help_text: str, run: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
    sub = commands.add_parser(name, help=help_text, description=help_text)
    sub.add_argument("--config", type=Path, help="YAML config file (default: the embedded defaults)")
    sub.add_argument("--home", type=Path, help="state directory (default: $ASSISTANT_HOME or ~/.assistant)")
    sub.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub.set_defaults(run=run)
    return sub


def _tcp_port(text: str) -> int:
    """An argparse type: a TCP port number a server can listen on."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a TCP port (1 to 65535)")
    return port


def _add_model_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--catalog", type=Path, help="OpenAPI file whose operations become tools")
    sub.add_argument("--docs", type=Path, help="folder of documents to ingest and search")
    sub.add_argument("--adapter", type=Path, help="PEFT adapter folder (with toolkens.json)")
    sub.add_argument("--model", type=Path, help="local model folder or .gguf file")


def _add_turn_options(sub: argparse.ArgumentParser) -> None:
    _add_model_options(sub)
    sub.add_argument("--yes", action="store_true", help="send side-effecting API calls without asking")
    sub.add_argument("--dry-run", action="store_true", help="plan every API call without sending any")


# -- configuration ----------------------------------------------------------------------------------------


def _config(args: argparse.Namespace) -> tuple[AssistantConfig, Path]:
    """The config file (or defaults) with the command line's overrides, and the state directory."""
    config = load_config(args.config)
    raw = config.model_dump()
    overrides = {
        ("tools", "catalog", "path"): getattr(args, "catalog", None),
        ("tools", "retrieval", "docs"): getattr(args, "docs", None),
        ("model", "adapter"): getattr(args, "adapter", None),
        ("model", "path"): getattr(args, "model", None),
    }
    for (section, *keys), value in overrides.items():
        if value is not None:
            target = raw[section]
            for key in keys[:-1]:
                target = target[key]
            target[keys[-1]] = value.resolve()
    from assistant.config import parse_config

    config = parse_config(raw, source="command line")
    return config, resolve_home(args.home, config)


# -- chat and ask -----------------------------------------------------------------------------------------


def _one_person(config: AssistantConfig) -> AssistantConfig:
    """A terminal serves one person: one engine with every core (unless model.engines says otherwise), so that
    llama.cpp decodes on all the cores instead of on its share of a pool nobody else uses."""
    if config.model.engines is not None:
        return config
    return config.model_copy(update={"model": config.model.model_copy(update={"engines": 1})})


def _run_ask(args: argparse.Namespace) -> int:
    if not args.question.strip():
        raise UsageError("the question is empty")
    config, home = _config(args)
    config = _one_person(config)
    from assistant.events import FinalAnswer
    from assistant.runtime import Assistant

    assistant = Assistant(config, home)
    try:
        approve = _approver(args.yes, interactive=sys.stdin.isatty() and not args.json)
        events = assistant.ask(args.question, approve=approve, dry_run=args.dry_run, force_tool=args.tool)
        if args.json:
            final = next(e for e in events if isinstance(e, FinalAnswer))
            for _ in events:  # let the turn be logged
                pass
            answer = final.to_json()
            if args.dry_run:
                answer["dry_run"] = True
            print(json.dumps(answer, ensure_ascii=False, default=str))
        else:
            _print_turn(events, sys.stdout)
    finally:
        assistant.close()
    return 0


def _run_chat(args: argparse.Namespace) -> int:
    from assistant.runtime import Assistant

    config, home = _config(args)
    assistant = Assistant(_one_person(config), home)
    approve = _approver(args.yes, interactive=sys.stdin.isatty())
    print(f"{assistant.model_name} with {len(assistant.tools)} tools. /new starts over, /exit or Ctrl-D quits.")
    conversation: str | None = None
    try:
        while True:
            try:
                question = input("\nyou> ").strip()
            except EOFError:
                print()
                return 0
            if question in ("/exit", "/quit"):
                return 0
            if question == "/new":
                conversation = None
                continue
            if not question:
                continue
            print("assistant> ", end="", flush=True)
            conversation = _print_turn(
                assistant.ask(question, conversation_id=conversation, approve=approve, dry_run=args.dry_run),
                sys.stdout,
            )
    finally:
        assistant.close()


def _print_turn(events: Iterable, out: TextIO) -> str | None:
    """Stream a turn to `out`: reply text, each tool step, sources; returns the conversation id."""
    from assistant.events import Sources, TextDelta, Timings, ToolCall, ToolOutcome, TurnLogged

    conversation = None
    planned = 0
    for event in events:
        if isinstance(event, TextDelta):
            out.write(event.text)
        elif isinstance(event, ToolCall):
            out.write(f"\n  [tool] {event.tool} {json.dumps(event.arguments, ensure_ascii=False)}\n")
        elif isinstance(event, ToolOutcome):
            shown = event.error if event.error else json.dumps(event.result, ensure_ascii=False, default=str)
            status = "planned, NOT sent" if event.status == "planned" else event.status
            planned += event.status == "planned"
            out.write(f"  [{status}] {_shorten(shown, 300)} ({event.elapsed_s:.2f} s)\n")
        elif isinstance(event, Sources):
            out.write(f"\nSources: {', '.join(event.sources)}")
        elif isinstance(event, Timings):
            print(
                f"[{event.sampled_tokens} tokens, first after {event.first_token_s:.2f} s, "
                f"{event.decode_tokens_per_s:.1f} tokens/s, {event.total_s:.2f} s in all]",
                file=sys.stderr,
            )
        elif isinstance(event, TurnLogged):
            conversation = event.conversation_id
        out.flush()
    out.write("\n")
    if planned:
        # One line for the whole turn, which may have planned calls beside the calculator and search it ran.
        out.write(f"(dry run: {planned} API call{'s' if planned > 1 else ''} planned, none sent)\n")
    return conversation


#: What the model is told when a side-effecting call was not sent because nobody could be asked.
NO_TERMINAL = "not sent: no terminal to approve side-effecting calls; use --yes or the web app"


def _approver(yes: bool, interactive: bool):
    """Decides on side-effecting calls: --yes sends, a terminal asks, anything else cannot ask anyone."""
    from assistant.approvals import CannotApprove

    def approve(call) -> bool:
        plan = call.plan
        what = f"{plan.get('method', '')} {plan.get('url', call.tool)}".strip()
        if yes:
            return True
        if not interactive:
            print(f"not sent: {what} changes data; pass --yes to allow it", file=sys.stderr)
            raise CannotApprove(NO_TERMINAL)
        if plan.get("body") is not None:
            print(f"\n  body: {json.dumps(plan['body'], ensure_ascii=False)}")
        return input(f"\n  send {what}? [y/N] ").strip().lower() in ("y", "yes")

    return approve


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- ingest and demo-api ----------------------------------------------------------------------------------


def _run_ingest(args: argparse.Namespace) -> int:
    from tools.retrieval import DocumentStore

    if not args.folder.is_dir():
        raise ConfigError(f"{args.folder} is not a folder")
    config, home = _config(args)
    report = DocumentStore(config.tools.retrieval, home / "chroma").ingest(args.folder, prune=args.prune)
    print(report)
    for source, reason in report.skipped:
        print(f"  skipped {source}: {reason}")
    return 0


def _run_build_data(args: argparse.Namespace) -> int:
    from finetune.build_data import BuildDataConfig, build_data, default_reply_fn

    config, home = _config(args)
    counts = {"per_operation": args.per_operation, "calculator": args.calculator, "no_call": args.no_call}
    build = BuildDataConfig(
        catalog=args.catalog or config.tools.catalog.path,
        docs=args.docs or config.tools.retrieval.docs,
        instructions=args.instructions,
        output=args.output,
        seed=args.seed,
        today=args.today,
        keep_split=not args.new_split,
        **{name: count for name, count in counts.items() if count is not None},
        chunk_chars=config.tools.retrieval.chunk_chars,
        chunk_overlap=config.tools.retrieval.chunk_overlap,
        max_tool_result_chars=config.generation.max_tool_result_chars,
    )
    reply = default_reply_fn(config.model, home, config.system_prompt) if build.no_call else None
    report = build_data(build, reply, home)
    print(report.counts.table())
    print(f"written to {report.output} (train fingerprint {report.fingerprint[:16]}, {report.seconds:.0f} s)")
    return 0


def _run_train(args: argparse.Namespace) -> int:
    # A file that is no YAML mapping is refused before the trainer's import, which takes seconds.
    read_yaml_mapping(args.train_config, "training config")
    home = resolve_home(args.home, load_config(args.config))
    from finetune.train import load_train_config, train

    config = load_train_config(args.train_config)
    result = train(config, home)
    print(f"adapter written to {result.output_dir}: {result.method} ({result.method_reason}), {result.steps} steps, "
          f"{result.tokens_per_second:.0f} tokens/s, {result.wall_s:.0f} s")
    return 0


def _run_fit_router(args: argparse.Namespace) -> int:
    if not args.adapter.is_dir():
        raise UsageError(f"{args.adapter} is not a folder")
    config, home = _config(args)
    data = args.data or home / "data"
    if not (data / "train.jsonl").is_file():
        raise UsageError(f"{data} has no train.jsonl; run `assistant build-data` first or give --data")
    from finetune.router_fit import fit_router_into

    router = fit_router_into(args.adapter, data, config.tools, home, args.examples)
    report = router.report
    print(f"router written to {args.adapter / 'router.json'}: {len(router.tools)} tools, threshold "
          f"{router.no_call_threshold}; on {data / 'eval.jsonl'} ({report.get('held_out', 0)} held out): call recall "
          f"{report.get('call_recall')}, no-call {report.get('no_call_accuracy')}, tool {report.get('tool_accuracy')}")
    return 0


def _run_eval(args: argparse.Namespace) -> int:
    from finetune.evaluate import DEFAULT_FUNCQA, EvalConfig, run_eval

    config, home = _config(args)
    funcqa = DEFAULT_FUNCQA if args.funcqa is True else args.funcqa
    generation = {"max_new_tokens": args.max_new_tokens} if args.max_new_tokens else {}
    report = run_eval(
        config, home, tools=args.tools, calc=args.calc, docs=args.docs_questions, funcqa=funcqa, chats=args.chats,
        test_set=args.test_set,
        eval_config=EvalConfig(limit=args.limit, generation=generation, chat_turns=args.chat_turns),
        progress=lambda line: print(line, file=sys.stderr),
    )
    print(report.table())
    if args.out is not None:
        paths = report.write(args.out)
        print(f"metrics in {paths['metrics']}, predictions in {paths['predictions']}")
    return 0


def _run_demo_api(args: argparse.Namespace) -> int:
    from assistant.demo import api as demo_api

    _, home = _config(args)
    port = args.port if args.port is not None else demo_api.DEFAULT_PORT
    db = args.db if args.db is not None else home / "demo-api.db"
    demo_api.serve(args.host, port, db,
                   on_listening=lambda url: print(f"demo API on {url} (database {db})", file=sys.stderr, flush=True))
    return 0


def _run_serve(args: argparse.Namespace) -> int:
    from ui.app import serve

    config, home = _config(args)
    serve(config, home, host=args.host, port=args.port)
    return 0


def _run_hash_password(args: argparse.Namespace) -> int:
    import getpass

    from assistant.passwords import hash_password

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise ConfigError("the two passwords differ")
    if not password:
        raise ConfigError("the password is empty")
    print(hash_password(password))
    return 0


# -- retrain and adapters ---------------------------------------------------------------------------------


def _run_retrain(args: argparse.Namespace) -> int:
    from finetune.retrain import run_retrain

    config, home = _config(args)
    outcome = run_retrain(config, home, trigger=args.trigger or f"cli ({_who()})", force=args.force,
                          dry_run=args.dry_run)
    if outcome.decision is not None:
        rows = [["metric", "serving", "candidate", "worse by", "allowed", ""]]
        rows += [[c.metric, figure(c.parent, '.4g'), figure(c.candidate, '.4g'), figure(c.worse_by, '.4g'),
                  "-" if c.allowed is None else f"{c.allowed:g}", "ok" if c.ok else "FAIL"]
                 for c in outcome.decision.checks]
        print("\n".join(table(rows)))
    print(outcome.message)
    return 0


def _adapter_registry(args: argparse.Namespace):
    from assistant.adapters import AdapterRegistry

    return AdapterRegistry(resolve_home(args.home, load_config(args.config)))


def _run_adapters_list(args: argparse.Namespace) -> int:
    adapters = _adapter_registry(args).list()
    if not adapters:
        print("no adapters in the registry yet: the shipped demo adapter or the base model serves")
        return 0
    rows = [["name", "status", "created", "parent", "trigger", "reason"]]
    rows += [[a.name, a.status, a.created, str(a.lineage.get("parent") or "-"), str(a.lineage.get("trigger") or "-"),
              _shorten(a.reason, 100)] for a in adapters]
    print("\n".join(table(rows)))
    return 0


def _run_adapters_promote(args: argparse.Namespace) -> int:
    info = _adapter_registry(args).promote(args.name, by=f"cli ({_who()})")
    print(f"{info.name} serves from the next turn on")
    return 0


def _run_adapters_rollback(args: argparse.Namespace) -> int:
    from assistant.adapters import describe_default

    info = _adapter_registry(args).rollback(args.name, by=f"cli ({_who()})")
    name = info.name if info is not None else describe_default(load_config(args.config))
    print(f"rolled back: {name} serves from the next turn on")
    return 0


def _who() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _quiet_libraries(verbose: bool) -> None:
    """Only errors from transformers and no progress bars, unless --verbose. Through the environment when
    transformers is not imported yet, so a command that never needs it does not pay for its import."""
    if verbose:
        return
    if "transformers" not in sys.modules:
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        return
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()


#: The exceptions that mean bad input (a file, a value, a name, a busy resource), not a bug: module and class.
#: Each says what is wrong in its message, so the CLI prints that one line; anything else (KeyError,
#: TypeError, ...) is a bug and keeps its traceback.
USER_ERRORS: tuple[tuple[str, str], ...] = (
    ("assistant.config", "ConfigError"),
    ("assistant.model", "ModelLoadError"),
    ("assistant.toolkens", "ToolkenMismatch"),
    ("assistant.chat_format", "ChatTemplateError"),
    ("assistant.context_window", "TurnTooLong"),
    ("assistant.engine", "UnknownTool"),
    ("assistant.runtime", "EmptyQuestion"),
    ("assistant.adapters", "AdapterError"),
    ("assistant.demo.api", "PortUnavailable"),
    ("tools.openapi", "CatalogError"),
    ("finetune.evaluate", "EvalFormatError"),
    ("finetune.evaluate", "ForeignDocuments"),
    ("finetune.records", "DatasetFormatError"),
    ("finetune.router_fit", "RouterDataError"),
    ("assistant.router", "RouterMismatch"),
    ("finetune.retrain", "RetrainBusy"),
)


def is_user_error(exc: BaseException) -> bool:
    """Whether `exc` is a UsageError or one of USER_ERRORS. Only modules already imported are looked in: a
    class can only have been raised once its module is loaded, and importing the others (torch, the trainer)
    would cost seconds on every command."""
    if isinstance(exc, UsageError):
        return True
    for module_name, class_name in USER_ERRORS:
        module = sys.modules.get(module_name)
        if module is not None and isinstance(exc, getattr(module, class_name)):
            return True
    return False


def _one_line(text: str) -> str:
    """An error message on one line (a library's message may hold several)."""
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


if __name__ == "__main__":
    sys.exit(main())

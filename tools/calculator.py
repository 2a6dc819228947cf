"""The calculator tool: exact arithmetic and algebra, evaluated in a worker process under a time limit.

`tools.safe_math` turns the expression into sympy objects without `eval` and refuses numbers too large
to build. What a static bound cannot foresee (a slow `simplify`, `integrate` or `factorint`) is cut off
by time: each call is evaluated in a persistent worker process that is killed and replaced when it
overruns `timeout_s`.

Run as `python -m tools.calculator`, this module is that worker: one JSON request
{"expression": text} per line on stdin, one JSON reply per line on stdout, after a first
{"ready": true} line once sympy is imported. A reply is {"value": result} or {"error": message}.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import weakref
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import IO, Any, TextIO

import sympy as sp
from pydantic import BaseModel, ConfigDict, Field

from tools.base import Tool, ToolResult
from tools.safe_math import MAX_DIGITS, SafeMathError, evaluate, parse_expression

#: How long a fresh worker may take to import sympy before the call is failed.
STARTUP_TIMEOUT_S = 60.0
#: Extra address space the worker may allocate beyond what it holds after start-up.
WORKER_MEMORY_BYTES = 1 << 30
_PROJECT_ROOT = Path(__file__).resolve().parent.parent


class CalculatorConfig(BaseModel):
    """The `tools.calculator` section."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="Offer the calculator tool to the model.")
    timeout_s: float = Field(
        1.0, gt=0, description="Wall-clock seconds one evaluation may take before it is cut off and refused."
    )
    max_input_chars: int = Field(1000, gt=0, description="Longest expression accepted, in characters.")


class Calculator(Tool):
    """Exact arithmetic and algebra through sympy, safe against hostile or runaway expressions.

    Holds a worker process (started on the first call); `close()` stops it, and so do garbage
    collection and interpreter exit.
    """

    name = "calculator"
    description = (
        "Exact arithmetic and algebra: fractions and roots stay exact (1/3, 2*sqrt(2)), with powers, logs, "
        "trigonometry, factorials, binomials, gcd/lcm, and solve, simplify, expand, factor, diff, integrate."
    )
    parameters = {
        "type": "object",
        "properties": {
            "expression": {
                "type": "string",
                "description": (
                    "One math expression in Python syntax; ^ also means power. Examples: 2**10, 1/3 + 1/6, "
                    "sqrt(8), log(8, 2), binomial(10, 3), solve(x**2 - 4, x), integrate(sin(x), x, 0, pi)."
                ),
            }
        },
        "required": ["expression"],
        "additionalProperties": False,
    }
    side_effects = False
    local = True

    def __init__(self, config: CalculatorConfig | None = None) -> None:
        self.config = config or CalculatorConfig()
        self._worker = _Worker()
        weakref.finalize(self, self._worker.close)  # also runs at interpreter exit

    def run(self, arguments: dict[str, Any]) -> ToolResult:
        """Evaluate `arguments["expression"]`; the value is {"expression", "result", "numeric", "text"}."""
        expression = arguments["expression"]
        if len(expression) > self.config.max_input_chars:
            return ToolResult(
                error=f"the expression is {len(expression)} characters long, "
                f"over the limit of {self.config.max_input_chars}; refused"
            )
        try:
            parse_expression(expression)  # refuse disallowed syntax here, without a round trip
        except SafeMathError as exc:
            return ToolResult(error=str(exc))
        reply = self._worker.evaluate(expression, self.config.timeout_s)
        return ToolResult(value=reply["value"]) if "value" in reply else ToolResult(error=reply["error"])

    def close(self) -> None:
        """Stop the worker process; a later call starts a new one."""
        self._worker.close()

    def __enter__(self) -> Calculator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# ----------------------------------------------------------------------------------------------------
# The tool's side of the worker


class _WorkerProcess:
    """One worker child process, with a thread that moves its reply lines into a queue."""

    def __init__(self) -> None:
        # cwd: `-m` puts the working directory first on sys.path, so this project's `tools` is found.
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tools.calculator"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=_PROJECT_ROOT,
            text=True,
            encoding="ascii",
            errors="replace",
        )
        requests, replies = self._process.stdin, self._process.stdout
        assert requests is not None and replies is not None  # both are pipes
        self._requests: IO[str] = requests
        self._replies: queue.Queue[str | None] = queue.Queue()
        self.ready = False
        threading.Thread(target=_pump, args=(replies, self._replies), daemon=True).start()

    def await_ready(self, timeout_s: float) -> bool:
        """Wait for the start-up line; False when the process died or was too slow."""
        with contextlib.suppress(TimeoutError):
            self.ready = self.receive(timeout_s) == {"ready": True}
        return self.ready

    def request(self, expression: str, timeout_s: float) -> dict[str, Any] | None:
        """Send one expression; its reply, or None when the process has failed. TimeoutError if slow."""
        try:
            self._requests.write(json.dumps({"expression": expression}) + "\n")
            self._requests.flush()
        except OSError:  # BrokenPipeError: the process is gone
            return None
        return self.receive(timeout_s)

    def receive(self, timeout_s: float) -> dict[str, Any] | None:
        """The next reply; None at end of output or for a line that is not JSON. TimeoutError if slow."""
        try:
            line = self._replies.get(timeout=timeout_s)
        except queue.Empty:
            raise TimeoutError from None
        try:
            return None if line is None else json.loads(line)
        except json.JSONDecodeError:
            return None

    def stop(self) -> None:
        """Kill the process (it may be mid-calculation, and holds no state) and reap it."""
        self._process.kill()
        self._process.wait()
        with contextlib.suppress(OSError):
            self._requests.close()


def _pump(stream: IO[str], replies: queue.Queue[str | None]) -> None:
    """Reader thread: every line of `stream` into `replies`, then None at end of file."""
    with stream:
        for line in stream:
            replies.put(line)
    replies.put(None)


class _Worker:
    """The calculator's worker: started on first use, replaced when a calculation overruns.

    One call at a time (a lock), so a reply always belongs to the request just sent.
    """

    def __init__(self) -> None:
        self._process: _WorkerProcess | None = None
        self._lock = threading.Lock()

    def evaluate(self, expression: str, timeout_s: float) -> dict[str, Any]:
        """The worker's reply to `expression`: {"value": ...} or {"error": ...}."""
        with self._lock:
            process = self._ready_process()
            if process is None:
                return {"error": "the calculator's worker process did not start"}
            try:
                reply = process.request(expression, timeout_s)
            except TimeoutError:
                self._replace()
                return {"error": f"the calculation took longer than {timeout_s} s; refused"}
            if reply is None:
                self._stop()
                return {"error": "the calculator's worker process failed; the next call starts a new one"}
            return reply

    def close(self) -> None:
        """Stop the worker process, if one runs."""
        with self._lock:
            self._stop()

    def _ready_process(self) -> _WorkerProcess | None:
        if self._process is None:
            self._process = _WorkerProcess()
        if not self._process.ready and not self._process.await_ready(STARTUP_TIMEOUT_S):
            self._stop()
        return self._process

    def _replace(self) -> None:
        """Kill the overrunning process and start the next one now, so it imports sympy while idle."""
        self._stop()
        self._process = _WorkerProcess()

    def _stop(self) -> None:
        if self._process is not None:
            self._process.stop()
            self._process = None


# ----------------------------------------------------------------------------------------------------
# The worker's side: evaluate and describe the result


def answer(expression: str) -> dict[str, Any]:
    """Evaluate in this process: {"value": {"expression", "result", "numeric", "text"}} or {"error": message}.

    "result" is the exact value as text (for solve, a list of solutions: values for one variable,
    {variable: value} for several); "numeric" is a float to 15 significant digits, None when the
    value is not a finite real number; "text" (not for solve) is the value as an answer states it (see
    `readable`), so a model copies it rather than converting "7890481/1250" to 6312.3848 itself.
    """
    try:
        evaluation = evaluate(expression)
        return {"value": {"expression": evaluation.expression, **_describe(evaluation.value)}}
    except SafeMathError as exc:
        return {"error": str(exc)}
    except ZeroDivisionError:
        return {"error": "division by zero"}
    except MemoryError:
        return {"error": "the calculation ran out of memory; refused"}
    except RecursionError:
        return {"error": "the calculation recursed too deeply; refused"}
    except Exception as exc:  # sympy raises many kinds (NotImplementedError, TypeError, ...)
        return {"error": f"could not evaluate: {type(exc).__name__}: {exc}"[:500]}


def _describe(value: Any) -> dict[str, Any]:
    if isinstance(value, list):
        return _describe_solutions(value)
    if isinstance(value, dict):  # factorint: {prime: multiplicity}
        factors = [f"{prime}**{power}" if power > 1 else str(prime) for prime, power in value.items()]
        result = " * ".join(factors) or "1"
        return {"result": result, "numeric": None, "text": result}
    numeric = _approximate(value)
    return {"result": str(value), "numeric": numeric, "text": readable(str(value), numeric)}


def readable(result: str, numeric: float | None) -> str:
    """An exact result as an answer writes it: 42, 397.8, or "19/24 (about 0.7916667)"."""
    try:
        fraction = Fraction(result)
    except (ValueError, ZeroDivisionError):
        return f"{result} (about {_short(numeric)})" if numeric is not None else result
    if fraction.denominator == 1:
        return str(fraction.numerator)
    denominator = fraction.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator == 1:  # a terminating decimal, written out in full
        decimal = Decimal(fraction.numerator) / Decimal(fraction.denominator)
        text = format(decimal, "f")
        short = _short(float(fraction))
        if len(text.split(".")[1]) <= 6 or short == text:
            return text
        return f"{short} (exactly {text})"
    return f"{result} (about {_short(float(fraction))})"


def _short(number: float | None) -> str:
    """`number` rounded to at least 4 decimals and 7 significant digits: within 1e-6 of it, relatively, the
    strictest tolerance evaluation holds an answer's final number to (20.32867, not 20.3287, for 334/1643*100)."""
    if number is None:
        return "?"
    if not math.isfinite(number) or number == 0:
        return f"{number:g}"
    decimals = min(15, max(4, 6 - math.floor(math.log10(abs(number)))))
    return f"{number:.{decimals}f}".rstrip("0").rstrip(".")


def _describe_solutions(solutions: list[Any]) -> dict[str, Any]:
    """Values of one unknown, or {variable: value} per solution for several."""
    results: list[Any] = []
    numerics: list[Any] = []
    for solution in solutions:
        if isinstance(solution, dict):
            results.append({str(variable): str(value) for variable, value in solution.items()})
            numerics.append({str(variable): _approximate(value) for variable, value in solution.items()})
        else:
            results.append(str(solution))
            numerics.append(_approximate(solution))
    return {"result": results, "numeric": numerics}


def _approximate(value: Any) -> float | None:
    """`value` to 15 significant digits when it is a finite real number, else None."""
    if not (isinstance(value, sp.Expr) and value.is_number):
        return None
    # A Float keeps its own precision: evalf(15) of round(pi, 3) would show binary noise past 3.142.
    approximation = value if isinstance(value, sp.Float) else value.evalf(15)
    try:
        number = float(str(approximation))
    except ValueError:  # a complex number, or a form evalf left unevaluated
        return None
    return float(f"{number:.15g}") if math.isfinite(number) else None


def serve(requests: TextIO, replies: TextIO) -> None:
    """The worker loop (see the module docstring); returns when `requests` closes."""
    _send(replies, {"ready": True})
    for line in requests:
        _send(replies, answer(json.loads(line)["expression"]))


def _send(stream: TextIO, message: dict[str, Any]) -> None:
    stream.write(json.dumps(message) + "\n")  # ASCII, so the pipes' encodings do not matter
    stream.flush()


def _confine_worker_process() -> None:
    """Settings only the worker process takes on."""
    # Ctrl-C in a terminal reaches the whole process group; the tool stops its worker itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Results up to MAX_DIGITS must print; Python refuses to print ints over 4300 digits by default.
    sys.set_int_max_str_digits(2 * MAX_DIGITS)
    _limit_address_space(WORKER_MEMORY_BYTES)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """Watchdog thread: exit once the tool's process is gone, even in the middle of a calculation.

    An idle worker sees end-of-file on stdin instead; a busy one would otherwise run on unattended.
    """
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _limit_address_space(extra_bytes: int) -> None:
    """Make allocations beyond `extra_bytes` more than now raise MemoryError, instead of exhausting RAM."""
    try:
        import resource  # POSIX only

        with open("/proc/self/statm") as statm:  # Linux: address-space size in pages
            in_use = int(statm.read().split()[0]) * resource.getpagesize()
    except (ImportError, OSError):
        return  # elsewhere the time limit is the only guard
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = in_use + extra_bytes if hard == resource.RLIM_INFINITY else min(in_use + extra_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


if __name__ == "__main__":
    _confine_worker_process()
    serve(sys.stdin, sys.stdout)

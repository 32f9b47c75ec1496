"""Latency and memory of the sentence engine on this machine.

Loads the model once, warms the few-shot prefix per language, then generates 3 candidates for
each keyword list in bench/keyword_lists.json. Prints a table; with --record FILE, replaces the
latency section of that Markdown file (docs/BENCHMARKS.md) with the table, machine and date.

    python bench/latency.py [--record docs/BENCHMARKS.md] [--repeat 1] [--threads N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import sys
import time
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.files import write_report_section
from app.core.keywords import prepare_keywords
from app.core.settings import DecodingSettings
from app.generation import SentenceGenerator
from app.generation.prompts import PromptStyle

HERE = Path(__file__).resolve().parent
TARGETS = {"first": 0.35, "all": 1.0, "rss_mb": 600.0, "load": 1.5}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, {platform.system()} {platform.release()}"


def prepare_model(model: str | None = None) -> None:
    """A fresh user folder starts by merging the adapter in the background (bench/first_launch
    measures that start); steady-state latency is measured once the merged model exists."""
    from app.generation.model_choice import ModelRequest, decide_model
    from app.generation.model_location import wait_for_background_merge

    decide_model(ModelRequest(Path(model) if model else None))
    wait_for_background_merge()


def run(args: argparse.Namespace) -> str:
    lists = json.loads((HERE / "keyword_lists.json").read_text(encoding="utf-8"))
    prepare_model(args.model)
    gen = SentenceGenerator(
        args.model,
        style=PromptStyle(args.style) if args.style else None,
        threads=args.threads,
        decoding=DecodingSettings(seed=args.seed),
    )
    gen.load()
    rows = []
    for lang, items in lists.items():
        warm = gen.warm_up(lang)
        first, total, p_rate, g_rate, examples = [], [], [], [], []
        for _ in range(args.repeat):
            for kw in items:
                r = gen.generate(prepare_keywords(kw, lang), 3)
                first.append(r.first_candidate_s or r.total_s)
                total.append(r.total_s)
                if r.prompt_s > 0 and r.prompt_tokens:
                    p_rate.append(r.prompt_tokens / r.prompt_s)
                if r.generation_s > 0:
                    g_rate.append(r.generated_tokens / r.generation_s)
                if len(examples) < 3:
                    examples.append(f"`{kw}` → {r.texts[0] if r.texts else '(none)'}")
        rows.append((lang, len(first), warm, first, total, p_rate, g_rate, examples))

    out = [
        f"Machine: {machine()}. Date: {dt.date.today().isoformat()}. "
        f"llama-cpp-python {version('llama-cpp-python')}, threads {gen.threads}, "
        f"model {gen.choice.path.name if gen.choice else '?'} ({gen.style} prompt), "
        f"3 candidates per request, seed {args.seed}.",
        "",
        "| lang | requests | first candidate median / p90 (s) | all 3 median / p90 (s) "
        "| prompt tok/s (median) | generation tok/s (median) | prefix warm-up (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for lang, n, warm, first, total, p_rate, g_rate, _ in rows:
        out.append(
            f"| {lang} | {n} | {statistics.median(first):.3f} / {pct(first, 0.9):.3f} "
            f"| {statistics.median(total):.3f} / {pct(total, 0.9):.3f} "
            f"| {statistics.median(p_rate):.0f} | {statistics.median(g_rate):.0f} | {warm:.2f} |"
        )
    all_first = [x for r in rows for x in r[3]]
    all_total = [x for r in rows for x in r[4]]
    rss = peak_rss_mb()
    out += [
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| model load (s) | {gen.load_s:.2f} | <= {TARGETS['load']} |",
        f"| first candidate, median (s) | {statistics.median(all_first):.3f} "
        f"| <= {TARGETS['first']} |",
        f"| all 3 candidates, median (s) | {statistics.median(all_total):.3f} "
        f"| <= {TARGETS['all']} |",
        f"| peak RSS (MB) | {rss:.0f} | <= {TARGETS['rss_mb']:.0f} |",
        "",
        "Examples (top candidate): " + "; ".join(e for r in rows for e in r[7]),
    ]
    gen.close()
    return "\n".join(out)


def record(
    path: Path,
    table: str,
    name: str = "latency",
    title: str = "Sentence engine latency (`bench/latency.py`)",
) -> None:
    """Replace this benchmark's section of the report (or add it)."""
    write_report_section(path, name, table, title, "# Benchmarks")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--record", type=Path, help="Markdown file to update")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--model", type=Path, help="a GGUF (default: what the app would load)")
    p.add_argument("--style", choices=["few-shot", "finetuned"], help="prompt style for --model")
    p.add_argument("--section", default="latency", help="name of the section to replace")
    args = p.parse_args()
    start = time.perf_counter()
    table = run(args)
    print(table)
    print(f"\n(benchmark took {time.perf_counter() - start:.1f} s)")
    if args.record:
        title = f"Sentence engine latency (`bench/latency.py`, {args.section})"
        record(args.record, table, args.section, title)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Headless commands: `pictovoz generate|doctor|prefetch|...`; no sub-command starts the app."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from app import __version__
from app.core.keywords import KeywordError, prepare_keywords
from app.core.settings import DecodingSettings, load_settings, settings_path

log = logging.getLogger(__name__)


def _add_engine_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", help="a GGUF file (default: the embedded model)")
    p.add_argument("--style", choices=["few-shot", "finetuned"], help="prompt style for --model")
    p.add_argument("--threads", type=int, help="CPU threads (default: cores - 1)")
    p.add_argument(
        "--gpu-layers", type=int, help="layers to offload to the GPU (0: CPU, -1: all, -2: auto)"
    )


def _add_decoding_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--n", type=int, help="number of candidates (default 3)")
    p.add_argument("--temperature", type=float, help="0 is greedy (default 0.8)")
    p.add_argument("--top-k", type=int, help="0 turns it off (default 40)")
    p.add_argument("--top-p", type=float, help="1.0 turns it off (default 0.95)")
    p.add_argument("--max-tokens", type=int, help="per candidate (default 32)")
    p.add_argument("--seed", type=int, help="for reproducible sampling")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pictovoz", description="PictoVoz AAC communicator")
    parser.add_argument("--version", action="version", version=f"pictovoz {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="headless check: model, window, speech; exit 0 only if all work",
    )
    parser.add_argument("--self-test-out", type=Path, help="where the self-test writes files")
    sub = parser.add_subparsers(dest="command")

    gen = sub.add_parser("generate", help="keywords -> candidate sentences")
    gen.add_argument("keywords", nargs="*", help="keywords in tap order, e.g. yo querer agua")
    gen.add_argument("--lang", default=None, help="es or en (default: the settings' language)")
    gen.add_argument("--json", action="store_true", help="print JSON")
    gen.add_argument("--batch", type=Path, help="one keyword list per line, or JSONL")
    gen.add_argument("--output", type=Path, help="write batch results here (default stdout)")
    _add_engine_args(gen)
    _add_decoding_args(gen)

    doctor = sub.add_parser("doctor", help="report model, threads and GPU support")
    _add_engine_args(doctor)
    doctor.add_argument("--load", action="store_true", help="also load the model and time it")

    _register_optional(sub)
    return parser


def _register_optional(sub: argparse._SubParsersAction) -> None:
    """Commands owned by other packages register themselves here."""
    from app import cli_models as models
    from app.session import prefetch

    prefetch.register(sub)
    models.register(sub)


# --- generate -----------------------------------------------------------------------------------
def _decoding_from(args: argparse.Namespace, base: DecodingSettings) -> DecodingSettings:
    values = {
        "temperature": args.temperature,
        "top_k": args.top_k,
        "top_p": args.top_p,
        "max_tokens": args.max_tokens,
        "seed": args.seed,
    }
    merged = {**base.__dict__, **{k: v for k, v in values.items() if v is not None}}
    return DecodingSettings(**merged).validated()


def _make_generator(args: argparse.Namespace):  # -> SentenceGenerator (imported lazily: llama)
    """The same model decision as the app (settings), with the command line's flags on top."""
    from app.generation import SentenceGenerator

    settings = load_settings().settings
    return SentenceGenerator.from_settings(
        settings,
        model=args.model,
        style=args.style,
        threads=args.threads,
        gpu_layers=args.gpu_layers,
        n_candidates=getattr(args, "n", None),
        decoding=_decoding_from(args, settings.decoding) if hasattr(args, "seed") else None,
    )


def _result_dict(result: Any) -> dict[str, Any]:
    return {
        "keywords": list(result.keywords),
        "lang": result.lang,
        "candidates": [
            {
                "text": c.text,
                "score": round(c.score, 4),
                "n_tokens": c.n_tokens,
                "greedy": c.greedy,
                "elapsed_s": round(c.elapsed_s, 4),
            }
            for c in result.candidates
        ],
        "notices": result.notices,
        "fallback": result.fallback,
        "prompt_tokens": result.prompt_tokens,
        "generated_tokens": result.generated_tokens,
        "first_candidate_s": None
        if result.first_candidate_s is None
        else round(result.first_candidate_s, 4),
        "total_s": round(result.total_s, 4),
    }


def _print_human(result: Any, out: TextIO) -> None:
    for notice in result.notices:
        out.write(f"note: {notice}\n")
    for i, c in enumerate(result.candidates, 1):
        tag = " (greedy)" if c.greedy else ""
        tag = " (raw keywords: no model)" if result.fallback else tag
        out.write(f"{i}. {c.text}    score {c.score:.2f}  at {c.elapsed_s:.2f} s{tag}\n")
    if not result.fallback:
        rate = result.generated_tokens / result.generation_s if result.generation_s else 0.0
        out.write(
            f"prompt {result.prompt_tokens} tok in {result.prompt_s:.3f} s; generated "
            f"{result.generated_tokens} tok in {result.generation_s:.3f} s ({rate:.0f} tok/s); "
            f"total {result.total_s:.3f} s\n"
        )


def _batch_items(path: Path, default_lang: str) -> Iterator[tuple[int, Any, str, str | None]]:
    """(line number, keywords, lang, error) for each non-empty line: plain text or JSON."""
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            if line.startswith("{"):
                try:
                    obj = json.loads(line)
                    yield lineno, obj["keywords"], str(obj.get("lang", default_lang)), None
                except (ValueError, KeyError, TypeError) as exc:
                    yield lineno, [], default_lang, f"bad JSON line: {exc}"
            else:
                yield lineno, line, default_lang, None


def cmd_generate(args: argparse.Namespace) -> int:
    from app.generation import ModelLoadError, fallback_result

    lang = args.lang or load_settings().settings.language
    if not args.batch and not args.keywords:
        sys.stderr.write("Give keywords (e.g. `pictovoz generate --lang es yo querer agua`).\n")
        return 2
    generator = _make_generator(args)
    model_error: str | None = None
    try:
        generator.load()
    except ModelLoadError as exc:
        model_error = str(exc)
        sys.stderr.write(f"error: {model_error}\nOffering the raw keywords instead.\n")

    def run_one(keywords: Any, lang_code: str):
        kinput = prepare_keywords(keywords, lang_code)  # the convention, applied once, here
        if model_error is not None:
            return fallback_result(kinput, model_error)
        return generator.generate(kinput, args.n)

    if args.batch:
        out = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
        try:
            for lineno, keywords, lang_code, error in _batch_items(args.batch, lang):
                record: dict[str, Any] = {"line": lineno}
                if error is None:
                    try:
                        record |= _result_dict(run_one(keywords, lang_code))
                    except KeywordError as exc:
                        error = str(exc)
                if error is not None:
                    record |= {
                        "keywords": keywords,
                        "lang": lang_code,
                        "candidates": [],
                        "error": error,
                    }
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                out.flush()
        finally:
            if args.output:
                out.close()
        return 1 if model_error else 0

    try:
        result = run_one(args.keywords, lang)
    except KeywordError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    if args.json:
        data = _result_dict(result)
        data["load_s"] = generator.load_s
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_human(result, sys.stdout)
    return 1 if model_error else 0


# --- doctor -------------------------------------------------------------------------------------
def cmd_doctor(args: argparse.Namespace) -> int:
    from app.generation import ModelLoadError
    from app.generation.gpu import decide_gpu_layers
    from app.generation.llama_runtime import supports_gpu_offload, system_info
    from app.generation.model_choice import ModelRequest, decide_model
    from app.generation.model_location import ModelNotFoundError

    loaded = load_settings()
    settings = loaded.settings
    lines = [
        f"pictovoz {__version__}, Python {sys.version.split()[0]}",
        f"settings: {settings_path()}" + (f" ({loaded.message})" if loaded.message else ""),
        f"threads: {args.threads or settings.effective_threads}",
        f"gpu offload supported by this llama.cpp build: {supports_gpu_offload()}",
        "gpu: "
        + decide_gpu_layers(
            settings.gpu_layers if args.gpu_layers is None else args.gpu_layers
        ).describe(),
        f"llama.cpp: {system_info()}",
    ]
    status = 0
    try:
        choice = decide_model(ModelRequest.from_settings(settings, args.model, args.style))
        lines.append(f"model: {choice.path} ({choice.source}, {choice.style} prompt)")
        if choice.adapter:
            lines.append(f"adapter: {choice.adapter}")
    except ModelNotFoundError as exc:
        lines.append(f"model: NOT FOUND: {exc}")
        status = 1
    if args.load and status == 0:
        generator = _make_generator(args)
        try:
            generator.load()
            lines.append(f"model loads in {generator.load_s:.2f} s on {generator.gpu.describe()}")
            lines.append(f"model style: {generator.style}")
            lines.append(f"few-shot prefix evaluated in {generator.warm_up():.2f} s")
        except ModelLoadError as exc:
            lines.append(f"model load FAILED: {exc}")
            status = 1
    sys.stdout.write("\n".join(lines) + "\n")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    start = time.perf_counter()
    if args.self_test:
        from app.ui.selftest import run_self_test

        code = run_self_test(args.self_test_out)
    elif args.command == "generate":
        code = cmd_generate(args)
    elif args.command == "doctor":
        code = cmd_doctor(args)
    elif hasattr(args, "func"):
        code = args.func(args)
    else:
        from app.ui.launcher import launch

        code = launch()
    log.info("%s finished in %.2f s", args.command or "app", time.perf_counter() - start)
    return code

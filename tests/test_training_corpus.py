"""`prepare` on a small Tatoeba-shaped file the test writes (never the real data)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from app.core.keywords import prepare_keywords
from app.generation.prompts import finetuned_prompt, finetuned_target
from training import corpus
from training.names import POOLS

PAIRS = [
    ("I want water.", "Quiero agua."),
    ("I want water.", "Quiero beber agua."),  # English repeated: duplicate target
    ("Do you want water?", "¿Quieres agua?"),
    ("Tom is tired.", "Tom está cansado."),
    ("Mary is tired.", "Mary está cansada."),
    ("Tom gave Mary a book.", "Tom le dio un libro a Mary."),
    ("I'm 25 years old.", "Tengo 25 años."),  # digits
    ('He said "no".', 'Dijo "no".'),  # quotes
    ("Go away. Now.", "Vete. Ahora."),  # two sentences
    ("Hi.", "Hola."),  # too short
    (
        "I think that the people who live next door are going to move to another city soon.",
        "Creo que la gente que vive al lado se va a mudar a otra ciudad muy pronto, eso dicen.",
    ),  # too long
    ("I love you.", "Te amo."),  # English keywords == sentence: identity
    ("Yesterday I went to the park.", "Ayer fui al parque."),
    ("Yesterday I went to the park!", "¡Ayer fui al parque!"),  # duplicate target after norm.
    ("I went to the park yesterday.", "Fui al parque ayer."),
    ("I didn't eat.", "No comí."),
    ("I did not eat.", "No he comido."),  # same English keywords: duplicate input
    ("Where is the bathroom?", "¿Dónde está el baño?"),
    ("I'm going to sleep.", "Voy a dormir."),
    ("My head hurts.", "Me duele la cabeza."),
    ("She is my friend.", "Ella es mi amiga."),
    ("Can you help me?", "¿Puedes ayudarme?"),
    ("We will eat later.", "Comeremos más tarde."),
    ("I don't like fish.", "No me gusta el pescado."),
    ("Where do you live?", "¿Dónde vives?"),
    ("I am hungry.", "Tengo hambre."),
    ("Close the door, please.", "Cierra la puerta, por favor."),
    ("He is reading a book.", "Él está leyendo un libro."),
    ("They played football.", "Jugaron al fútbol."),
    ("broken line without a tab", ""),
]


def write_tsv(path: Path, pairs: list[tuple[str, str]] = PAIRS) -> Path:
    lines = [f"{en}\t{es}" if es else en for en, es in pairs]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# Wide dev/test shares so that a small file fills every split.
SETTINGS = corpus.Settings(dev_fraction=0.25, test_fraction=0.25, drop_subject_rate=0.0)


@pytest.fixture
def prepared(tmp_path: Path) -> tuple[Path, dict]:
    out = tmp_path / "corpus"
    summary = corpus.prepare(write_tsv(tmp_path / "pairs.tsv"), out, SETTINGS)
    return out, summary


def read_records(out: Path) -> list[dict]:
    rows = []
    for split in corpus.SPLITS:
        path = out / f"{split}.jsonl"
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return rows


def test_output_files_and_record_format(prepared: tuple[Path, dict]) -> None:
    out, summary = prepared
    assert sorted(p.name for p in out.iterdir()) == [
        "dev.jsonl",
        "stats.json",
        "test.jsonl",
        "train.jsonl",
    ]
    rows = read_records(out)
    assert len(rows) == summary["kept"] > 0
    for row in rows:
        assert set(row) == set(summary["record_fields"])
        prepared_kw = prepare_keywords(row["keywords"], row["lang"])
        assert list(prepared_kw.keywords) == row["keywords"]  # already normalised
        assert row["input"] == prepared_kw.text
        assert row["prompt"] == finetuned_prompt(prepared_kw)  # the runtime's own format
        assert row["completion"] == finetuned_target(row["target"])
        assert row["references"][0] == row["target"]
        assert row["id"] == f"{row['lang']}-{row['source_line']:06d}"
    assert {row["lang"] for row in rows} == {"es", "en"}
    assert {row["split"] for row in rows} == set(corpus.SPLITS)


def test_filters_and_stats(prepared: tuple[Path, dict]) -> None:
    out, summary = prepared
    assert json.loads((out / "stats.json").read_text(encoding="utf-8")) == summary
    assert summary["lines"] == len(PAIRS)
    assert summary["malformed_lines"] == 1
    es, en = summary["languages"]["es"], summary["languages"]["en"]
    for lang in (es, en):
        assert lang["dropped"]["digits"] == 1
        assert lang["dropped"]["punctuation"] == 1
        assert lang["dropped"]["multi_sentence"] == 1
        assert lang["dropped"]["too_long"] == 1
        assert lang["kept"] + sum(lang["dropped"].values()) == lang["sentences"]
        assert sum(lang["splits"].values()) == lang["kept"]
    assert en["dropped"]["too_short"] == 1 and es["dropped"]["too_short"] == 1
    assert en["dropped"]["identity"] >= 1  # "I love you."
    texts = {row["target"] for row in read_records(out)}
    assert not {"Tengo 25 años.", "I love you.", 'Dijo "no".', "Vete. Ahora."} & texts


def test_names_replaced_from_the_pool_keeping_gender(prepared: tuple[Path, dict]) -> None:
    out, summary = prepared
    rows = read_records(out)
    assert not any("Tom" in r["target"] or "Mary" in r["target"] for r in rows)
    assert summary["languages"]["es"]["names_replaced"] >= 3
    by_line = {(r["lang"], r["source_line"]): r for r in rows}
    tired = by_line[("es", 5)]["target"]  # "Mary está cansada." keeps a woman's name
    assert tired.split()[0] in POOLS["es"]["f"] and tired.endswith("cansada.")
    gave = by_line[("es", 6)]
    first, second = gave["target"].split()[0], gave["target"].split()[-1].rstrip(".")
    assert first in POOLS["es"]["m"] and second in POOLS["es"]["f"]
    assert gave["keywords"][0] == first.lower()


def test_deduplication(prepared: tuple[Path, dict]) -> None:
    out, summary = prepared
    rows = read_records(out)
    en = [r for r in rows if r["lang"] == "en"]
    assert [r["target"] for r in en].count("I want water.") <= 1
    targets = [(r["lang"], corpus.normalise(r["target"])) for r in rows]
    inputs = [(r["lang"], r["input"]) for r in rows]
    assert len(set(targets)) == len(targets)
    assert len(set(inputs)) == len(inputs)
    # "...park!" repeats "...park." once punctuation is normalised away, in both languages.
    assert summary["languages"]["en"]["dropped"]["duplicate_target"] == 1
    assert summary["languages"]["es"]["dropped"]["duplicate_target"] == 1
    assert summary["languages"]["en"]["dropped"]["duplicate_input"] >= 1
    # The dropped target of a shared input is kept as a reference of the one record.
    didnt = next(r for r in en if r["input"] == "I past not eat")
    assert didnt["references"] == ["I didn't eat.", "I did not eat."]


def test_splits_are_deterministic_and_disjoint(tmp_path: Path) -> None:
    source = write_tsv(tmp_path / "pairs.tsv")
    first = corpus.prepare(source, tmp_path / "a", SETTINGS)
    second = corpus.prepare(source, tmp_path / "b", SETTINGS)
    for split in corpus.SPLITS:
        assert (tmp_path / "a" / f"{split}.jsonl").read_bytes() == (
            tmp_path / "b" / f"{split}.jsonl"
        ).read_bytes()
    assert first["splits"] == second["splits"]
    assert first["overlap"] == {"targets": 0, "inputs": 0}
    for row in read_records(tmp_path / "a"):
        assert row["split"] == corpus.split_of(corpus.normalise(row["target"]), SETTINGS)


def test_split_depends_only_on_the_target() -> None:
    settings = corpus.Settings()
    splits = [corpus.split_of(corpus.normalise(f"sentence {i}"), settings) for i in range(4000)]
    share = {s: splits.count(s) / len(splits) for s in corpus.SPLITS}
    assert 0.87 < share["train"] < 0.93 and 0.03 < share["test"] < 0.07
    assert corpus.split_of("quieres agua", settings) == corpus.split_of(
        corpus.normalise("¿Quieres agua?"), settings
    )


def test_subject_drop_rate(tmp_path: Path) -> None:
    settings = corpus.Settings(drop_subject_rate=1.0)
    summary = corpus.prepare(write_tsv(tmp_path / "pairs.tsv"), tmp_path / "out", settings)
    rows = read_records(tmp_path / "out")
    dropped = [r for r in rows if r["subject_dropped"]]
    assert dropped and len(dropped) == sum(
        s["subject_dropped"] for s in summary["languages"].values()
    )
    assert all(r["keywords"][0] not in ("yo", "I") for r in dropped)


def test_refuses_to_write_inside_the_repository(tmp_path: Path) -> None:
    source = write_tsv(tmp_path / "pairs.tsv")
    with pytest.raises(corpus.CorpusError, match="inside the repository"):
        corpus.prepare(source, corpus.REPO_ROOT / "corpus-out", SETTINGS)
    assert not (corpus.REPO_ROOT / "corpus-out").exists()


def test_missing_source(tmp_path: Path) -> None:
    with pytest.raises(corpus.CorpusError, match="not found"):
        corpus.prepare(tmp_path / "nope.tsv", tmp_path / "out", SETTINGS)


def test_default_paths() -> None:
    assert corpus.DEFAULT_SOURCE.parts[-4:] == (
        "shared",
        "data",
        "tatoeba-spa-eng",
        "spa-eng.tsv",
    )
    assert corpus.default_output_dir().parts[-2:] == ("training", "corpus")


def run_cli(argv: list[str]) -> int:
    """`pictovoz-train prepare ...` through the sub-command's own registration (the full CLI
    also registers the torch-based stages, which this test does not need)."""
    parser = argparse.ArgumentParser(prog="pictovoz-train")
    corpus.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_tsv(tmp_path / "pairs.tsv")
    out = tmp_path / "cli"
    code = run_cli(["prepare", "--tsv", str(source), "--out", str(out), "--no-progress"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "examples" in printed and "[es]" in printed and "[en]" in printed
    assert (out / "train.jsonl").is_file()
    assert run_cli(["prepare", "--tsv", str(tmp_path / "missing.tsv"), "--out", str(out)]) == 2


def test_console_script_has_prepare(tmp_path: Path) -> None:
    pytest.importorskip("torch")  # the full CLI imports every stage
    from training.__main__ import main

    source = write_tsv(tmp_path / "pairs.tsv")
    assert (
        main(["prepare", "--tsv", str(source), "--out", str(tmp_path / "o"), "--no-progress"]) == 0
    )


def test_training_inputs_have_markers_where_the_app_puts_them(prepared: tuple[Path, dict]) -> None:
    """Every input the model trains on is what the app would send for the same taps in any
    marker order (prepare_keywords moves markers; the corpus takes its view)."""
    out, summary = prepared
    for row in read_records(out):
        keywords = row["keywords"]
        assert list(prepare_keywords(keywords, row["lang"]).keywords) == keywords
        markers = [w for w in keywords if w in ("pasado", "futuro", "no", "past", "future", "not")]
        for marker in markers:
            rest = [w for w in keywords if w != marker]
            for tapped in ([marker, *rest], [*rest, marker]):
                assert list(prepare_keywords(tapped, row["lang"]).keywords) == keywords
    for lang in summary["languages"].values():
        assert 0 <= lang["markers_moved"] <= lang["kept"] + sum(lang["dropped"].values())

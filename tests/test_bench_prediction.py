"""bench/prediction.py's simulated user, with fake scorers instead of the model."""

from __future__ import annotations

import pytest

from app.boards.storage import load_default_boards
from app.generation.next_words import top_words
from app.session.prediction import FIRST_WORDS, Predictor, Usage, board_vocabulary
from app.session.scanning import Cost
from bench.prediction import (
    Hits,
    Opens,
    board_message,
    cut_items,
    history_of,
    perfect_rows,
    predictor_rows,
    repeating_user,
    simulate,
)
from bench.scanning_cost import SENTENCES, sentence_cost

# A folder word in the middle, a first word the empty-strip row does not offer.
ES = "mamá querer beber agua".split()


@pytest.fixture(scope="module")
def boards():
    return load_default_boards("es")


def oracle(words):
    """A scorer that ranks the true next word first (and scores nothing else)."""
    return lambda prefix: {words[len(prefix)]: 0.0} if len(prefix) < len(words) else {}


def never(words):
    """A scorer that scores words, never the true next one."""
    wrong = [w for w in ("pizza", "perro", "sol", "rojo") if w not in words]
    return lambda prefix: {w: -float(i) for i, w in enumerate(wrong)}


def test_without_a_row_the_plan_is_scanning_costs(boards):
    for sentence in SENTENCES["es"]:
        words = sentence.split()
        plan = sentence_cost(boards, words, "es")
        got = simulate(boards, words, "es")
        assert (got.selections, got.cost, got.from_row) == (plan.selections, plan.cost, 0)
        assert simulate(boards, words, "es", lambda prefix, path: []) == got  # an empty row: no row


def test_the_plan_counts_the_folders_it_opens(boards):
    # home board words need no folder; "agua" is in the drinks folder
    assert simulate(boards, ["yo", "querer"], "es").folders == 0
    assert simulate(boards, ["yo", "querer", "agua"], "es").folders == 1
    # people folder, home (not a folder), drinks folder: 4 words + 3 moves + the candidate
    got = simulate(boards, ES, "es")
    assert (got.folders, got.selections) == (2, 8)


def test_a_perfect_predictor_leaves_one_selection_per_keyword_and_the_candidate(boards):
    words = ["yo", *ES[1:]]  # "yo" is the empty strip's first offer
    plain = simulate(boards, words, "es")
    assert plain.selections == len(words) + 2  # the drinks folder
    got = simulate(
        boards, words, "es", predictor_rows(Predictor(boards, "es", Usage()), oracle(words))
    )
    assert got.selections == len(words) + 1
    assert (got.from_row, got.folders) == (len(words), 0)
    # every word is the row's first tile: enter the row, pick the tile, no steps
    assert got.cost.steps < plain.cost.steps
    assert got.cost.presses == 2 * (len(words) + 1)
    assert simulate(boards, words, "es", perfect_rows(words)) == got  # the bench's ceiling row


def test_a_predictor_that_never_hits_costs_the_same_selections(boards):
    assert ES[0] not in FIRST_WORDS["es"]
    plain = simulate(boards, ES, "es")
    got = simulate(boards, ES, "es", predictor_rows(Predictor(boards, "es", Usage()), never(ES)))
    assert got.from_row == 0
    assert (got.selections, got.folders, got.cost.presses) == (
        plain.selections,
        plain.folders,
        plain.cost.presses,
    )
    # the row is scanned before the board, so a useless row costs steps
    assert got.cost.steps > plain.cost.steps


def test_the_row_is_scanned_first_so_it_costs_the_rows_below(boards):
    words = "yo querer".split()
    row = [("pizza",)]  # shown, never tapped
    plain = simulate(boards, words, "es")
    got = simulate(boards, words, "es", lambda prefix, path: row)
    # one more row to pass for each selection of a board cell and for the candidate
    assert got.cost == plain.cost + Cost(0, plain.selections)


def test_a_history_of_the_same_messages_completes_them(boards):
    predictor = Predictor(boards, "es", history_of([ES]))
    got = simulate(boards, ES, "es", predictor_rows(predictor, lambda prefix: {}))
    assert got.from_row == len(ES)  # the empty strip's row offers the whole message
    assert (got.selections, got.completions) == (2, 1)  # that tile and the candidate


def test_a_completion_is_tapped_only_where_its_words_come_next(boards):
    words = ["yo", "querer", "ir", "baño", "ahora"]
    rows = {  # what the row shows after each prefix
        ("yo",): [("querer", "ir"), ("querer", "ir", "baño"), ("querer", "comer")],
        ("yo", "querer", "ir", "baño"): [("ahora", "mismo")],  # goes past the message: no
    }
    got = simulate(boards, words, "es", lambda prefix, path: rows.get(prefix, []))
    assert (got.from_row, got.completions) == (3, 1)  # the longest tile that fits
    # "yo", the tile, "ahora" (on the home board: no folder was opened), the candidate
    assert (got.selections, got.folders) == (4, 0)
    assert simulate(boards, words, "es").folders == 1  # "baño" lives in a folder


def test_gold_keywords_become_board_taps(boards):
    vocab = board_vocabulary(boards, "es")
    words, skipped, merges = board_message(["yo", "querer", "agua", "por", "favor"], vocab)
    assert (words, skipped, merges) == (["yo", "querer", "agua", "por favor"], [], 1)
    words, skipped, merges = board_message(["lucía", "querer", "agua"], vocab)
    assert (words, skipped, merges) == (["querer", "agua"], ["lucía"], 0)


def test_cut_items_are_a_prefix_and_the_next_keyword():
    records = [
        {"lang": "es", "keywords": ["yo", "querer", "agua"]},
        {"lang": "es", "keywords": ["hola"]},  # nothing to predict
        {"lang": "en", "keywords": ["I", "want", "water"]},
    ]
    items = cut_items(records, "es", 10, seed=1)
    assert items in ([(("yo",), "querer")], [(("yo", "querer"), "agua")])
    assert cut_items(records, "es", 10, seed=1) == items  # seeded


def test_top_words_skip_the_prefix_and_hits_count_ranks():
    scores = {"agua": -1.0, "yo": 0.0, "pan": -2.0}
    assert top_words(scores, 8, exclude=("yo",)) == ["agua", "pan"]
    hits = Hits()
    hits.add("agua", ["agua", "pan"])
    hits.add("pan", ["agua", "pan"])
    hits.add("sol", ["agua", "pan"])
    assert (hits.n, hits.top1, hits.top8) == (3, 1, 2)


def test_a_repeating_user_says_old_messages_with_a_history_of_what_came_before():
    messages = [[f"w{i}", "x"] for i in range(40)]
    for new in (0.5, 0.25):
        stream, history, repeats = repeating_user(messages, 7, new)
        assert len(stream) == len(messages) and all(m in messages for m in stream)
        said_before = [m in history(i) for i, m in enumerate(stream)]
        assert repeats == sum(said_before) / len(stream)
        assert 1 - new - 0.2 < repeats < 1  # mostly as many repeats as asked, never all new
        assert len(history(0)) == len(messages) and len(history(5)) == len(messages) + 5
        assert repeating_user(messages, 7, new)[0] == stream  # seeded
    fewer_new = repeating_user(messages, 7, 0.25)[2]
    assert fewer_new > repeating_user(messages, 7, 0.5)[2]


def test_a_folder_tile_is_opened_only_for_a_word_it_holds(boards):
    folder = board_vocabulary(boards, "es")["agua"][0]
    words = ["yo", "querer", "agua"]
    useless = simulate(boards, words, "es", lambda prefix, path: [("pizza",)])
    got = simulate(boards, words, "es", lambda prefix, path: [Opens((boards.root, folder))])
    assert got.opened == 1  # for "agua" only: "yo" and "querer" are on the home board
    assert (got.selections, got.folders) == (useless.selections, useless.folders)
    assert got.cost.steps < useless.cost.steps  # the row is scanned first
    elsewhere = [Opens((boards.root, board_vocabulary(boards, "es")["mamá"][0]))]
    assert simulate(boards, words, "es", lambda prefix, path: elsewhere) == useless

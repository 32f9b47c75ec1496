"""The prediction row (issue 15): the model's next-keyword scores, the user's history, the
session's row, personal phrases. Model tests use the real Gemma 3 270M with the shipped adapter
and assert properties (which words, not their exact order: sampling differs between CPUs)."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from app.boards.model import Cell
from app.boards.storage import load_default_boards
from app.core import paths
from app.core.history import Phrase, PhraseStore
from app.core.keywords import Lang, prepare_keywords
from app.core.settings import DecodingSettings, Settings
from app.generation import model_location
from app.generation.lora import discard_merged
from app.generation.model_location import MODELS_DIR_ENV
from app.generation.next_words import NextWordRequest, top_words
from app.generation.prompts import PromptStyle
from app.session.prediction import (
    FIRST_WORDS,
    FOLDER_CHOICES,
    MAX_COMPLETIONS,
    MAX_TILE_WORDS,
    ROW_SIZE,
    Predictor,
    Usage,
    board_vocabulary,
)
from app.session.reach import ReachPlanner
from app.session.scanning import ScanConfig, selection_cost, window_rows
from app.session.session import Change, Session

REPO_MODELS = Path(__file__).resolve().parents[1] / "models"
DRINKS_ES = {"agua", "leche", "zumo", "té", "café", "batido", "refresco", "chocolate"}
DRINKS_EN = {"water", "milk", "juice", "tea", "coffee", "smoothie", "soda", "chocolate"}


def es_predictor(usage: Usage | None = None) -> Predictor:
    return Predictor(load_default_boards("es"), "es", usage or Usage())


# --- ranking, history (no model) ----------------------------------------------------------------
def test_vocabulary_spans_every_folder():
    boards = load_default_boards("es")
    vocab = board_vocabulary(boards, "es")
    folders = {board_id for board_id, _ in vocab.values()}
    assert len(folders) > 10 and "home" in folders  # words from the food, feelings... folders
    assert {"agua", "querer", "pasado", "no"} <= set(vocab)
    board_id, cell = vocab["agua"]
    assert board_id != "home" and cell.words == ("agua",)


def test_empty_strip_offers_first_words_then_the_users_own():
    p = es_predictor()
    assert [c.word for c in p.rank((), {})] == list(FIRST_WORDS["es"])
    usage = Usage()
    for _ in range(3):
        usage.add(["mamá", "venir"])
    first = [c.word for c in es_predictor(usage).rank((), {})]
    assert first[0] == "mamá" and "yo" in first  # history first, the defaults still there


def test_history_shifts_the_models_predictions():
    model = {"hacer": -1.0, "ir": -1.5, "comer": -3.0, "pizza": -6.0, "jugar": -4.0}
    plain = [c.word for c in es_predictor().rank(("yo", "querer"), model)]
    assert plain[:2] == ["hacer", "ir"]
    usage = Usage()
    for _ in range(4):
        usage.add(["yo", "querer", "pizza"])
    personal = [c.word for c in es_predictor(usage).rank(("yo", "querer"), model)]
    assert personal[0] == "pizza"
    assert "hacer" in personal  # the model still counts


def test_a_message_said_before_is_completed_in_one_tile():
    """After "yo querer", a user who often went on "ir baño" gets that rest as one tile (both
    cells, in order); "ir" alone stays likely enough for the row; other beginnings, rests with
    a word on no board and words already tapped give no completion."""
    usage = Usage()
    for _ in range(4):
        usage.add(["yo", "querer", "ir", "baño"])
    usage.add(["yo", "querer", "comer", "xyzzy"])  # "xyzzy" is on no board
    usage.add(["yo", "estar", "cansado"])
    p = es_predictor(usage)
    model = {"ir": -1.0, "comer": -1.2, "beber": -1.5, "jugar": -2.0, "agua": -3.0}
    boards = load_default_boards("es")
    for extra in (None, p.extra_selections(boards, (boards.root,))):
        row = p.rank(("yo", "querer"), model, extra)
        completions = [t for t in row if t.then]
        assert [t.words for t in completions] == [("ir", "baño")]
        tile = completions[0]
        assert [c.words for c in tile.cells] == [("ir",), ("baño",)]
        assert tile.then[0].board_id != "home"  # "baño" is in a folder: the tile saves the trip
        assert ("ir",) in [t.words for t in row]
    # 6 said, 3 messages: 3 repeats (+1 of 2 assumed) = 1/2; 4 of the 5 "yo querer" went on so
    assert p.completions(("yo", "querer")) == {("ir", "baño"): pytest.approx(0.5 * 4 / 5)}
    assert p.completions(("yo", "estar")) == {}  # one keyword left: that is a word tile
    assert [t for t in p.rank(("tú",), model) if t.then] == []
    assert [t for t in p.rank(("yo", "querer", "baño"), model) if t.then] == []
    first = p.rank((), {})  # an empty strip: the whole message, beside the first words
    assert ("yo", "querer", "ir", "baño") in [t.words for t in first]
    for _ in range(4):
        usage.add(["yo", "querer", "ir", "baño", "ahora", "por favor"])
    assert set(p.completions(())) >= {("yo", "querer", "ir", "baño")}  # a long one in parts
    assert max(len(rest) for rest in p.completions(())) == MAX_TILE_WORDS
    assert ("ahora", "por favor") in p.completions(("yo", "querer", "ir", "baño"))


def test_a_user_who_never_repeats_a_message_gets_no_completions():
    """Thirty different messages said once each: the rest of the one that began with the
    word tapped is a poor guess (the estimated repeat rate is 1/32), so the row keeps the
    model's likely words; said again and again, it is offered."""
    boards = load_default_boards("es")
    home = (boards.root,)
    words = [w for w in board_vocabulary(boards, "es") if " " not in w][:90]
    usage = Usage()
    for a, b, c in zip(words[:30], words[30:60], words[60:], strict=True):
        usage.add([a, b, c])
    assert usage.repeat_rate() == pytest.approx(1 / 32)
    # The model is sure of eight words (none of the history's): 9 % each.
    model = {w: (0.0 if w in words[70:78] else -10.0) for w in words}

    def completions(p: Predictor) -> list[tuple[str, ...]]:
        extra = p.extra_selections(boards, home)
        row = p.rank((words[0],), model, extra, p.scan_costs(home, 3))
        return [t.words for t in row if t.then]

    predictors = [Predictor(boards, "es", usage, scan=scan) for scan in (None, ScanConfig())]
    assert [completions(p) for p in predictors] == [[], []]
    for _ in range(30):
        usage.add(words[:61:30])  # the first message, again and again
    assert [completions(p) for p in predictors] == [[(words[30], words[60])]] * 2


def test_repeats_count_phrases_with_the_same_keywords_and_their_counts():
    now = time.time()
    phrases = [
        Phrase("Quiero agua.", "es", ("querer", "agua"), now, 3),
        Phrase("Dame agua.", "es", ("querer", "agua"), now, 1),  # the same message, reworded
        Phrase("Hola.", "es", ("hola",), now - 365 * 86400, 2),  # old: still the user's habit
    ]
    usage = Usage.from_phrases(phrases, "es", now)
    assert usage.said == {("querer", "agua"): 4, ("hola",): 2}
    assert usage.repeat_rate() == pytest.approx((6 - 2 + 1) / (6 + 2))
    assert Usage().repeat_rate() == 0.5


def test_completions_take_at_most_max_completions_tiles_for_touch_and_switches():
    """Many rests said often: the row still holds words (at most `MAX_COMPLETIONS` tiles
    complete), and the scanning row weighs a rest by what all its words cost to reach."""
    boards = load_default_boards("es")
    usage = Usage()
    rests = [["ir", "baño"], ["comer", "pan"], ["beber", "agua"], ["jugar", "pelota"]]
    for rest in rests:
        for _ in range(3):
            usage.add(["yo", "querer", *rest])
    model = {w: -2.0 for w in ["ir", "comer", "beber", "jugar", "leche", "zumo", "salir"]}
    home = (boards.root,)
    touch = Predictor(boards, "es", usage)
    switch = Predictor(boards, "es", usage, scan=ScanConfig())
    rows = [
        touch.rank(("yo", "querer"), model, touch.extra_selections(boards, home)),
        switch.rank(("yo", "querer"), model, scan=switch.scan_costs(home, 3)),
    ]
    for row in rows:
        completions = [t.words for t in row if t.then]
        assert len(completions) == MAX_COMPLETIONS and len(row) == ROW_SIZE
        assert set(completions) <= {tuple(r) for r in rests}
    repeats = (12 - 4 + 1) / (12 + 2)  # 12 said, 4 messages: 8 repeats (+1 of 2 assumed)
    assert switch.completions(("yo", "querer"))[("ir", "baño")] == pytest.approx(repeats * 3 / 12)


def test_words_far_from_the_open_board_rank_higher():
    """The row saves most for a word behind a folder: at equal likelihood it comes first."""
    boards = load_default_boards("es")
    p = es_predictor()
    model = {"comer": -1.0, "agua": -1.0}  # comer is on the home board, agua in a folder
    far = p.extra_selections(boards, [boards.root])
    assert far["comer"] == 0 and far["agua"] >= 1
    assert [c.word for c in p.rank(("yo", "querer"), model, far)][:2] == ["agua", "comer"]
    folder = p.vocabulary["agua"][0]
    inside = p.extra_selections(boards, [boards.root, folder])
    assert inside["agua"] == 0 and inside["comer"] == 1  # "Home" first, then it is there
    assert [c.word for c in p.rank(("yo", "querer"), model, inside)][:2] == ["comer", "agua"]


def test_reach_costs_follow_the_folders_and_the_scan_order():
    """What a switch user pays for a word: its cell on the open board, or the folder first."""
    boards = load_default_boards("es")
    planner = ReachPlanner(boards, "es", ScanConfig())
    home = (boards.root,)
    reach = planner.reach_words(home, 3, ROW_SIZE)
    folder = es_predictor().vocabulary["agua"][0]
    assert reach["agua"].path == (boards.root, folder) and reach["agua"].folders == 1
    assert reach["agua"].selections == 2 and reach["yo"].selections == 1
    rows = window_rows(boards.board(boards.root), 3, False, ROW_SIZE)
    yo = next(c for row in rows for c in row if isinstance(c, Cell) and c.words == ("yo",))
    assert reach["yo"].cost == selection_cost(rows, yo, ScanConfig())  # straight to its cell
    assert reach["agua"].total > reach["yo"].total
    # marker buttons add words from any board
    assert reach["pasado"].selections == 1
    assert planner.tile_costs(home, 3, ROW_SIZE) == tuple(range(2, 2 + ROW_SIZE))  # row first


def test_reach_survives_loops_dead_links_and_boards_no_path_reaches():
    """Imported board sets link in circles, to boards that are gone, or not at all."""
    from app.boards.model import Board, BoardSet

    def board(board_id: str, cells: list[Cell]) -> Board:
        return Board(board_id, board_id, 1, len(cells), cells)

    boards = BoardSet("odd", "es", "a")
    boards.add_board(
        board(
            "a",
            [
                Cell("1", "agua"),
                Cell("2", "b", link="b"),
                Cell("3", "gone", link="missing"),
                Cell("4", "a", link="a"),
            ],
        )
    )
    boards.add_board(board("b", [Cell("5", "pan"), Cell("6", "a", link="a")]))
    boards.add_board(board("lost", [Cell("7", "sol")]))  # no cell links here
    boards.add_board(board("empty", []))
    p = Predictor(boards, "es", Usage(), scan=ScanConfig())
    scan = p.scan_costs(("a",), 0)
    assert scan is not None and {"agua", "pan"} <= set(scan.words)
    assert "sol" not in scan.words  # out of reach: no path
    assert scan.words["pan"] > scan.words["agua"]
    row = p.rank(("yo",), {"sol": -1.0, "pan": -1.0, "agua": -1.0}, scan=scan)
    assert {c.word for c in row[:2]} == {"sol", "pan"}  # the farthest save the most
    assert row[2].word == "agua"  # one step away: saves the least, after the others
    assert p.scan_costs(("a", "b"), 3) is not None  # Back from a folder


def test_for_a_switch_user_the_row_holds_the_words_it_saves_most_on():
    """A likely word a step or two away on the open board is left out for less likely ones
    behind folders (each far tile saves far more steps); the empty strip still offers "yo"
    first."""
    boards = load_default_boards("es")
    p = Predictor(boards, "es", Usage(), scan=ScanConfig())
    home = (boards.root,)
    scan = p.scan_costs(home, 3)
    assert scan is not None and es_predictor().scan_costs(home, 3) is None  # touch: none
    cheap = min((w for w in p.vocabulary if w != "yo"), key=lambda w: scan.words[w])
    far_words = sorted(p.vocabulary, key=lambda w: -scan.words[w])[:ROW_SIZE]
    assert scan.words[cheap] <= scan.tiles[ROW_SIZE // 2] < min(scan.words[w] for w in far_words)
    model = {cheap: -1.0, **{w: -2.0 for w in far_words}}
    touch = [c.word for c in p.rank(("yo",), model)]
    scanning = [c.word for c in p.rank(("yo",), model, scan=scan)]
    assert touch[0] == cheap and cheap not in scanning
    assert set(scanning) == set(far_words)
    first = p.rank((), {}, scan=p.scan_costs(home, 0))
    assert first[0].word == "yo"  # a fifth of all messages start with it


def spread_over_a_folder(p: Predictor) -> tuple[str, dict[str, float]]:
    """The drinks folder, and a model that finds every word in it equally likely (more words
    than the row holds): a user who wants a drink, not one drink above the others."""
    folder = p.vocabulary["agua"][0]
    drinks = [w for w, (board_id, _) in p.vocabulary.items() if board_id == folder]
    assert len(drinks) > ROW_SIZE + 2
    return folder, {w: -1.0 for w in drinks}


def test_for_a_switch_user_a_folder_tile_opens_where_many_likely_words_are():
    boards = load_default_boards("es")
    p = Predictor(boards, "es", Usage(), scan=ScanConfig())
    home = (boards.root,)
    folder, model = spread_over_a_folder(p)
    row = p.rank(("yo",), model, scan=p.scan_costs(home, 3))
    folders = [t for t in row if t.opens]
    assert len(folders) == 1  # a second folder would hold none of them
    tile = folders[0]
    assert tile.opens == (boards.root, folder) and tile.cell.link == folder
    assert tile.words == () and len(row) == ROW_SIZE
    # first: it brings the 8 drinks not in the row a few steps nearer, and pushes the 7 in it
    # back one step each
    assert row[0] is tile
    assert all(t.words[0] in model for t in row if t is not tile)
    # by touch every selection costs about the same: words only
    assert not any(t.opens for t in p.rank(("yo",), model, extra=p.extra_selections(boards, home)))
    # with the folder open, its words are a step or two away: no tile opens it again
    inside = p.rank(("yo",), model, scan=p.scan_costs((boards.root, folder), 3))
    assert not any(t.opens == (boards.root, folder) for t in inside)
    # one likely word is better as a word tile than as its folder
    one = p.rank(("yo",), {"agua": -1.0}, scan=p.scan_costs(home, 3))
    assert one[0].word == "agua" and not any(t.opens for t in one)


def test_the_session_ranks_for_its_scanning_setting(tmp_path):
    session = make_session(tmp_path)
    boards = session.comm.boards
    session.tap(next(c for _, _, c in boards.board(boards.root).iter_cells() if c.label == "yo"))
    scan = Predictor(boards, "es", Usage(), scan=ScanConfig()).scan_costs((boards.root,), 3)
    assert scan is not None
    by_cost = sorted((w for w in scan.words if w != "yo"), key=lambda w: scan.words[w])
    model = {by_cost[0]: -1.0, **{w: -3.0 for w in by_cost[-ROW_SIZE:]}}
    session._update_predictions(model)
    assert session.predictions[0].word == by_cost[0]  # by touch: the likeliest first
    session.apply_settings(replace(session.settings, scan_mode="row-column"))
    session._update_predictions(model)
    assert {c.word for c in session.predictions} == set(by_cost[-ROW_SIZE:])  # what saves most
    session.apply_settings(replace(session.settings, scan_mode="off"))
    session._update_predictions(model)
    assert session.predictions[0].word == by_cost[0]


def test_words_already_tapped_and_words_off_the_boards_are_not_offered():
    model = {"yo": -0.1, "querer": -0.2, "xyzzy": -0.1, "agua": -1.0}
    words = [c.word for c in es_predictor().rank(("yo", "querer"), model)]
    assert "yo" not in words and "querer" not in words and "xyzzy" not in words
    assert words[0] == "agua"


def test_usage_weighs_repeats_and_fades_with_age():
    now = time.time()
    old = Phrase("Quiero agua.", "es", ("querer", "agua"), now - 365 * 86400, 10)
    new = Phrase("Quiero leche.", "es", ("querer", "leche"), now, 2)
    usage = Usage.from_phrases([old, new, replace(new, lang="en")], "es", now)
    assert usage.follows["querer"]["leche"] > usage.follows["querer"]["agua"]
    assert usage.words["querer"] == pytest.approx(2 + 10 * 0.5 ** (365 / 30), rel=1e-6)


def test_history_counts_repeats_on_disk(tmp_path):
    store = PhraseStore.load(tmp_path / "phrases.json")
    for _ in range(3):
        store.add_spoken("Quiero agua.", "es", ("querer", "agua"))
    again = PhraseStore.load(tmp_path / "phrases.json")
    assert [(p.text, p.count) for p in again.history] == [("Quiero agua.", 3)]


# --- the session (no model: history and defaults) ------------------------------------------------
def make_session(tmp_path, **settings) -> Session:
    return Session(
        Settings(pictogram_downloads=False, **settings),
        load_default_boards("es"),
        PhraseStore.load(tmp_path / "phrases.json"),
        settings_path=tmp_path / "settings.json",  # not the shared test home's
    )


def test_a_predicted_tile_adds_its_word_like_its_cell(tmp_path):
    session = make_session(tmp_path)
    assert [p.word for p in session.predictions] == list(FIRST_WORDS["es"])
    index = next(i for i, p in enumerate(session.predictions) if p.word == "querer")
    session.tap_prediction(index)
    assert session.comm.strip.keywords == ["querer"]
    assert session.comm.board.id == "home"  # no folder was opened
    assert "querer" not in [p.word for p in session.predictions]


def test_folder_tiles_choose_among_the_first_home_folders_only():
    """A home board of many links (imported sets) must not stall the first tap: one reach
    search per folder."""
    from app.boards.model import Board, BoardSet

    boards = BoardSet("many", "es", "home")
    links = [Cell(f"f{i}", f"carpeta {i}", link=f"b{i}") for i in range(FOLDER_CHOICES + 6)]
    cells: list[Cell | None] = [Cell("yo", "yo"), *links]
    boards.add_board(Board("home", "home", 6, 6, cells + [None] * (36 - len(cells))))
    for i in range(FOLDER_CHOICES + 6):
        boards.add_board(Board(f"b{i}", f"b{i}", 1, 1, [Cell(f"w{i}", f"palabra{i}")]))
    p = Predictor(boards, "es", Usage(), scan=ScanConfig())
    assert list(p.home_folders) == [f"b{i}" for i in range(FOLDER_CHOICES)]
    scan = p.scan_costs(("home",), 0)
    assert scan is not None and len(scan.folders) == FOLDER_CHOICES


def test_a_folder_tile_opens_its_folder_from_home_and_adds_nothing(tmp_path):
    session = make_session(tmp_path, scan_mode="row-column")
    boards = session.comm.boards
    session.tap(next(c for _, _, c in boards.board(boards.root).iter_cells() if c.label == "yo"))
    folder, model = spread_over_a_folder(session.predictor)
    session._update_predictions(model)
    index = next(i for i, t in enumerate(session.predictions) if t.opens)
    changes: list[Change] = []
    session.subscribe(changes.append)
    session.tap_prediction(index)
    assert session.comm.path == [boards.root, folder]
    assert session.comm.strip.keywords == ["yo"]  # nothing added
    assert Change.BOARD in changes
    assert not any(t.opens for t in session.predictions)  # re-ranked for the open folder
    session.go_back()
    assert session.comm.path == [boards.root]  # Back goes home
    # a short screen shows 4 tiles: the row is ranked for those, its folder tile among them
    session.set_row_size(4)
    assert len(session.predictions) == 4 and any(t.opens for t in session.predictions)


def test_a_completion_tile_adds_all_its_words_as_one_change(tmp_path):
    session = make_session(tmp_path, speak_each_tile=True)
    said: list[str] = []
    session._say = lambda text, **_: said.append(text)  # what the tiles would speak
    session.phrases.history = [
        Phrase("Quiero ir al baño.", "es", ("yo", "querer", "ir", "baño"), time.time(), 3)
    ]
    session._recount_usage()
    session.add_word("yo")
    session.add_word("querer")
    changes: list[Change] = []
    session.subscribe(changes.append)
    index = next(i for i, t in enumerate(session.predictions) if t.then)
    session.tap_prediction(index)
    assert session.comm.strip.keywords == ["yo", "querer", "ir", "baño"]
    assert session.comm.board.id == "home"  # no folder opened
    assert changes.count(Change.STRIP) == 1  # one change: one request, one prediction
    assert said == ["ir baño"]


def test_speaking_teaches_the_predictions_and_clearing_history_forgets(tmp_path):
    session = make_session(tmp_path)
    for _ in range(2):
        session.clear()
        session.add_word("mamá")
        session.speak_keywords()
    session.clear()
    assert session.predictions[0].word == "mamá"
    session.clear_history()
    session.clear()
    assert session.predictions[0].word == next(iter(FIRST_WORDS["es"]))


def test_the_setting_turns_the_row_off(tmp_path):
    session = make_session(tmp_path, predictions=False)
    assert session.predictions == []
    session.add_word("agua")
    assert session.predictions == []
    session.clear()
    assert session.predictions == []
    session.apply_settings(replace(session.settings, predictions=True))
    assert [p.word for p in session.predictions] == list(FIRST_WORDS["es"])


def test_a_sentence_said_often_for_these_keywords_comes_first(tmp_path):
    from app.generation.candidates import Candidate, GenerationResult

    session = make_session(tmp_path)
    session.phrases.history = [
        Phrase("Dame agua, porfa.", "es", ("agua",), time.time(), 3),
        Phrase("Agua fría.", "es", ("agua",), time.time(), 1),  # said once: not personal yet
    ]
    session.add_word("agua")
    result = GenerationResult(
        [Candidate("Quiero agua.", -0.2, 4), Candidate("El agua.", -0.5, 3)], "es", ("agua",)
    )
    session._finish(result)
    assert [c.text for c in session.candidates] == [
        "Dame agua, porfa.",
        "Quiero agua.",
        "El agua.",
    ]
    assert session.candidates[0].personal


# --- the real model -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def finetuned(embedded_model):
    """The app's own choice: the embedded base with the shipped adapter applied at load time."""
    from app.generation import SentenceGenerator

    mp = pytest.MonkeyPatch()
    mp.setenv(MODELS_DIR_ENV, str(REPO_MODELS))
    gen = SentenceGenerator(decoding=DecodingSettings(seed=7), threads=1)
    try:
        gen.load()
        assert gen.choice is not None and gen.choice.style == PromptStyle.FINETUNED
        yield gen
    finally:
        gen.close()
        model_location.wait_for_background_merge(300)
        mp.undo()
        # The merge went into the shared test data folder: other tests must not find it.
        discard_merged(paths.models_dir() / model_location.MERGED_MODEL_NAME)


def board_words(lang: str) -> tuple[str, ...]:
    return tuple(board_vocabulary(load_default_boards(lang), lang))


@pytest.mark.slow
def test_the_model_predicts_drinks_after_drink(finetuned):
    for lang, prefix, drinks in (
        ("es", ("yo", "querer", "beber"), DRINKS_ES),
        ("en", ("I", "want", "drink"), DRINKS_EN),
    ):
        scores = finetuned.predict_next(NextWordRequest(Lang(lang), prefix, board_words(lang)))
        top = top_words(scores, 8)
        assert len(set(top) & drinks) >= 2, (lang, top)
        assert set(scores) == set(board_words(lang))  # every board word has a score


@pytest.mark.slow
def test_the_model_predicts_board_verbs_after_want(finetuned):
    from app.core.keywords import is_verb

    scores = finetuned.predict_next(NextWordRequest(Lang.ES, ("yo", "querer"), board_words("es")))
    top = top_words(scores, 8)
    assert sum(is_verb(w, Lang.ES) for w in top) >= 4, top


@pytest.mark.slow
def test_a_request_not_scored_at_its_tap_scores_once_and_changes_no_candidate(finetuned):
    """The model loaded while words were on the strip: the request itself scores the row
    (before its sentences), once, and the sentences are those of a plain request."""
    from app.session.engine_worker import EngineWorker
    from app.session.inbox import Inbox

    kinput = prepare_keywords(["yo", "querer", "beber", "agua"], "es")
    request = NextWordRequest(Lang.ES, kinput.keywords, board_words("es"))
    plain = finetuned.generate(kinput, 3)
    events: list[str] = []
    done: list[object] = []

    class Listener:
        def engine_predictions(self, req, scores) -> None:
            events.append(f"predictions:{len(scores)}")

        def engine_candidate(self, request_id, cand) -> None:
            events.append("candidate")

        def engine_finished(self, request_id, result) -> None:
            done.append(result)

    inbox = Inbox()
    worker = EngineWorker(SharedGenerator(finetuned), inbox.post, Listener())
    try:
        for _ in range(2):  # the second time the row is known: no scoring
            worker.request(kinput, 3, request)
            deadline = time.monotonic() + 60
            while len(done) < 1 + events.count("again") and time.monotonic() < deadline:
                inbox.drain()
                time.sleep(0.005)
            events.append("again")
    finally:
        worker.shutdown()
    assert events[0] == f"predictions:{len(request.words)}" and events[1] == "candidate"
    assert events.count(f"predictions:{len(request.words)}") == 1
    assert done[0].texts[0] == plain.texts[0]  # the greedy sentence is the same
    assert len(done[0].candidates) == len(plain.candidates)


def test_the_base_model_gives_no_model_predictions(generator):
    """The few-shot base model never learnt the task: predictions fall back to history."""
    assert generator.predict_next(NextWordRequest(Lang.ES, ("yo",), ("agua",))) == {}


class ManualTimer:
    """The session's debounce, fired by the test (the window's QTimer would fire after 150 ms)."""

    def __init__(self) -> None:
        self.pending = None

    def start(self, delay_s: float, fn) -> None:
        self.pending = fn

    def stop(self) -> None:
        self.pending = None


class SharedGenerator:
    """The module's generator, as the engine thread sees it: records what it is asked, and is
    not closed when the worker stops (other tests use it)."""

    def __init__(self, gen) -> None:
        self._gen = gen
        self.scored: list[tuple[str, ...]] = []
        self.generated = 0

    def __getattr__(self, name: str):
        return getattr(self._gen, name)

    def predict_next(self, request, cancel=None):
        self.scored.append(request.prefix)
        return self._gen.predict_next(request, cancel)

    def generate(self, *args, **kwargs):
        self.generated += 1
        return self._gen.generate(*args, **kwargs)

    def close(self) -> None:
        pass


@pytest.mark.slow
def test_the_row_is_scored_at_the_tap_before_the_debounce_and_not_again(finetuned, tmp_path):
    """Issue 15: the row must follow a tap within 0.1 s, and the first sentence waits for a
    150 ms debounce: the tap itself starts the scoring, the sentence request reuses it."""
    from app.session.engine_worker import EngineWorker
    from app.session.inbox import Inbox

    inbox, timer, shared = Inbox(), ManualTimer(), SharedGenerator(finetuned)
    session = Session(
        Settings(pictogram_downloads=False),
        load_default_boards("es"),
        PhraseStore.load(tmp_path / "phrases.json"),
        settings_path=tmp_path / "settings.json",
        engine=EngineWorker(shared, inbox.post),
        timer=timer,
    )

    def wait(condition) -> None:
        deadline = time.monotonic() + 60
        while not condition() and time.monotonic() < deadline:
            inbox.drain()
            time.sleep(0.005)
        assert condition()

    try:
        wait(lambda: session.model_ready)
        for label in ("yo", "querer"):
            session.tap(next(c for _, _, c in session.comm.board.iter_cells() if c.label == label))
        wait(lambda: session.prediction_latency is not None)
        assert timer.pending is not None and shared.generated == 0  # still debouncing
        assert shared.scored[-1] == ("yo", "querer")
        row = [p.word for p in session.predictions]
        assert len(row) == 8 and "querer" not in row and "yo" not in row
        assert set(session._model_scores) == set(session.predictor.vocabulary)  # the model's row

        timer.pending()  # the debounce ends: sentences, without scoring the same row again
        wait(lambda: session.last_result is not None)
        assert shared.generated == 1
        assert shared.scored.count(("yo", "querer")) == 1
        assert session.candidates
    finally:
        session.close()


class RecordingEngine:
    """The engine worker's intents, recorded; results are delivered by the test."""

    def __init__(self) -> None:
        self.listener = None
        self.calls: list[tuple] = []
        self._id = 0

    def load(self, lang: str) -> None:
        pass

    def request(self, keywords, n, predict=None) -> int:
        self._id += 1
        self.calls.append(("request", keywords.keywords, predict))
        return self._id

    def predict(self, request) -> None:
        self._id += 1
        self.calls.append(("predict", request.prefix))

    def cancel(self) -> None:
        self.calls.append(("cancel",))

    def set_decoding(self, decoding) -> None:
        pass

    def shutdown(self, timeout_s: float = 10.0) -> None:
        pass


def test_a_tap_scores_the_row_at_once_and_drops_the_old_strips_late_results(tmp_path):
    from app.generation.candidates import Candidate, GenerationResult

    engine, timer = RecordingEngine(), ManualTimer()
    session = Session(
        Settings(pictogram_downloads=False),
        load_default_boards("es"),
        PhraseStore.load(tmp_path / "phrases.json"),
        settings_path=tmp_path / "settings.json",
        engine=engine,
        timer=timer,
    )
    session.engine_loaded("test")
    home = session.comm.board

    def tap(label: str) -> None:
        session.tap(next(c for _, _, c in home.iter_cells() if c.label == label))

    tap("yo")
    assert engine.calls[-1] == ("predict", ("yo",))  # before the debounce ends
    timer.pending()
    old_id = session._request_id
    assert engine.calls[-1][0] == "request"
    tap("querer")  # while "yo" is still being generated
    assert engine.calls[-1] == ("predict", ("yo", "querer"))
    late = GenerationResult([Candidate("Yo.", -0.1, 2)], "es", ("yo",))
    session.engine_candidate(old_id, late.candidates[0])
    session.engine_finished(old_id, late)
    assert session.last_result is None and session.first_candidate_latency is None
    stale = session.predictor.request(("yo",))
    session.engine_predictions(stale, {"agua": 0.0})  # the old strip's row: not shown
    assert session.prediction_latency is None
    session.engine_predictions(session.predictor.request(("yo", "querer")), {"agua": 0.0})
    assert session.prediction_latency is not None and session._model_scores == {"agua": 0.0}


@pytest.mark.slow
def test_phrase_cells_do_not_ride_on_their_first_word(finetuned):
    """ "see you later" starts with "see": scored by its first token alone it ranked as "see",
    and the far-folder boost put it in the row after "I like"."""
    boards = load_default_boards("en")
    p = Predictor(boards, "en", Usage())
    far = p.extra_selections(boards, [boards.root])
    for prefix in (("I", "want"), ("you", "want"), ("I", "like"), ("I", "want", "drink")):
        scores = finetuned.predict_next(NextWordRequest(Lang.EN, prefix, tuple(p.vocabulary)))
        row = [c.word for c in p.rank(prefix, scores, far)]
        phrases = [w for w in row if " " in w]
        assert not phrases, (prefix, row)

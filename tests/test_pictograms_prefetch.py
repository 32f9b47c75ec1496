"""Prefetching a board set's pictograms: resolve by search, download once, resume, CLI."""

from __future__ import annotations

import argparse
import threading

import pytest
from arasaac_server import free_port

from app.boards.model import Action, Board, BoardSet, Category, Cell
from app.boards.storage import read_board_set, save_board_set
from app.pictograms.cache import PictogramCache
from app.pictograms.client import ArasaacClient, ImageOptions
from app.session import prefetch


@pytest.fixture
def client(server):
    with ArasaacClient(server.base_url, timeout=0.3, retries=1, backoff=0) as c:
        yield c


def small_set() -> BoardSet:
    home = Board(id="home", name="Inicio", rows=2, columns=3, lang="es")
    home.cells[:5] = [
        Cell(id="yo", label="yo", category=Category.PEOPLE),
        Cell(id="comer", label="comer", category=Category.VERBS),
        Cell(id="agua", label="agua", pictogram_id=32464),
        Cell(id="comida", label="casa", link="food"),
        Cell(id="raro", label="palabra-inexistente"),
    ]
    food = Board(id="food", name="Comida", rows=1, columns=3, lang="es")
    food.cells[:3] = [
        Cell(id="inicio", label="inicio", category=Category.CONTROLS, action=Action.HOME,
             pictogram_id=6964),
        Cell(id="agua", label="agua"),  # resolves to 32464, already fetched for home
        Cell(id="foto", label="mamá", image="images/mama.png"),  # custom picture: skipped
    ]  # fmt: skip
    return BoardSet(name="Test", lang="es", root="home", boards={"home": home, "food": food})


def test_prefetch_resolves_downloads_and_reports_progress(client, server, tmp_path):
    board_set = small_set()
    calls: list[tuple[int, int, str]] = []
    cache = PictogramCache(client, tmp_path / "c")
    report = prefetch.prefetch_board_set(
        board_set, cache, progress=lambda d, t, label: calls.append((d, t, label))
    )
    assert report.total == 7
    assert report.resolved == 4  # yo, comer, casa, agua (food)
    assert report.unresolved == ["home/palabra-inexistente"]
    assert report.downloaded == 4  # 6632 yo, 6456 comer, 32464 agua, 6964 (casa, inicio)
    assert report.failed == [] and report.stopped is None
    assert calls[0] == (0, 7, "yo") and calls[-1] == (7, 7, "")
    home = board_set.home
    assert home.find_cell("yo").pictogram_id == 6632
    assert home.find_cell("comer").pictogram_id == 6456
    assert board_set.board("food").find_cell("agua").pictogram_id == 32464
    assert board_set.board("food").find_cell("foto").pictogram_id is None
    for pid in (6632, 6456, 32464, 6964):
        assert cache.cached_image_path(pid) is not None

    images_before = server.count("/pictograms/") - server.count("search")
    again = prefetch.prefetch_board_set(board_set, cache)
    assert again.downloaded == 0 and again.resolved == 0 and again.cached == 4
    assert server.count("/pictograms/") - server.count("search") == images_before


def test_failures_are_listed_and_a_rerun_fetches_only_what_is_missing(client, server, tmp_path):
    cache = PictogramCache(client, tmp_path / "c")
    server.fail("500", path_contains="/pictograms/32464")
    report = prefetch.prefetch_board_set(small_set(), cache)
    assert len(report.failed) == 1 and "32464" in report.failed[0]
    assert not report.complete
    server.heal()
    rerun = prefetch.prefetch_board_set(small_set(), cache)
    assert rerun.downloaded == 1 and rerun.complete


def test_prefetch_stops_early_when_the_server_goes_away_and_resumes(client, server, tmp_path):
    cache = PictogramCache(client, tmp_path / "c", offline_retry_after=60)

    def progress(done: int, total: int, label: str) -> None:
        if done == 2:
            server.stop()

    report = prefetch.prefetch_board_set(small_set(), cache, progress=progress)
    assert "cannot be reached (connection refused" in report.stopped
    assert "Run again to resume" in report.summary()
    assert report.downloaded == 2
    server.restart()
    cache.go_online()
    resumed = prefetch.prefetch_board_set(small_set(), cache)
    assert resumed.cached == 2 and resumed.downloaded == 2 and resumed.complete


def test_prefetch_can_be_cancelled(client, tmp_path):
    cancel = threading.Event()
    cancel.set()
    report = prefetch.prefetch_board_set(
        small_set(), PictogramCache(client, tmp_path / "c"), cancel=cancel
    )
    assert report.stopped == "cancelled" and report.downloaded == 0


def test_prefetch_variants(client, tmp_path):
    cache = PictogramCache(client, tmp_path / "c")
    variants = (ImageOptions(), ImageOptions(action="past"))
    report = prefetch.prefetch_board_set(small_set(), cache, variants=variants)
    assert report.downloaded == 8
    assert cache.cached_image_path(6456, ImageOptions(action="past")) is not None


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pictovoz")
    prefetch.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_cli_fills_a_dest_folder_and_saves_ids(server, tmp_path, capsys):
    board_file = tmp_path / "boards.json"
    save_board_set(small_set(), board_file)
    dest = tmp_path / "assets" / "pictograms"
    args = parse(
        ["prefetch", "--board", str(board_file), "--dest", str(dest),
         "--base-url", server.base_url, "--timeout", "0.5", "--save"]
    )  # fmt: skip
    assert args.func is prefetch.run
    assert prefetch.run(args) == 0  # a label without pictogram is reported, not an error
    out = capsys.readouterr().out
    assert "4 downloaded" in out and "1 without a pictogram" in out
    assert (dest / "images" / "6632" / "500.png").is_file()
    assert (dest / "index.json").is_file()
    saved = read_board_set(board_file)
    assert saved.home.find_cell("yo").pictogram_id == 6632
    assert (tmp_path / "boards.json.bak").is_file()  # the previous version is kept


def test_cli_exit_codes_for_bad_input_and_no_server(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert prefetch.run(parse(["prefetch", "--board", str(bad)])) == 2
    assert bad.read_text() == "{"  # a tool never moves the user's file aside
    dead = f"http://127.0.0.1:{free_port()}/api"
    args = parse(
        ["prefetch", "--board", "default:es", "--dest", str(tmp_path / "d"),
         "--base-url", dead, "--timeout", "0.3"]
    )  # fmt: skip
    assert prefetch.run(args) == 1
    assert "Stopped early" in capsys.readouterr().out

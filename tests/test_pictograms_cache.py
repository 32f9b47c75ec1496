"""The on-disk pictogram cache against a real local server: online, after the server stops,
across restarts, with a size bound, and with bad files on disk."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from arasaac_server import make_png, picto, png_for, png_header

from app.pictograms.cache import (
    INDEX_NAME,
    TIMEOUTS_BEFORE_OFFLINE,
    PictogramCache,
    default_cache_root,
)
from app.pictograms.client import (
    ArasaacBadResponse,
    ArasaacCancelled,
    ArasaacClient,
    ArasaacOffline,
    ImageOptions,
    KeywordType,
)

TIMEOUT = 0.3


@pytest.fixture
def client(server):
    with ArasaacClient(server.base_url, timeout=TIMEOUT, retries=1, backoff=0) as c:
        yield c


@pytest.fixture
def cache(client, tmp_path):
    with PictogramCache(client, tmp_path / "cache") as c:
        yield c


def test_image_is_downloaded_once_then_served_from_disk(cache, server, tmp_path):
    path = cache.image_path(2349)
    assert path == tmp_path / "cache" / "images" / "2349" / "500.png"
    assert path.read_bytes().startswith(b"\x89PNG")
    assert cache.image_path(2349) == path
    assert server.count("/pictograms/2349") == 1
    past = cache.image_path(2349, ImageOptions(action="past"))
    assert past.name == "500_action-past.png" and past != path
    assert server.count("/pictograms/2349") == 2


def test_everything_cached_survives_a_restart_without_the_server(client, server, tmp_path):
    root = tmp_path / "cache"
    with PictogramCache(client, root) as first:
        image = first.image_path(2248)
        assert first.search("agua", "es")[0].id == 32464
        assert first.resolve("eat", "en", KeywordType.VERB) == 6456  # the aac one
        assert first.pictogram(7202, "es").label == "perro"
    assert (root / INDEX_NAME).is_file()
    server.stop()

    with PictogramCache(client, root) as second:
        assert len(second) == 4  # an image, two searches (agua; best "eat"), one metadata
        assert second.image_path(2248) == image
        assert second.search("agua", "es")[0].id == 32464
        assert second.resolve("eat", "en", KeywordType.VERB) == 6456
        assert second.pictogram(7202, "es").label == "perro"


def test_offline_answers_at_once_and_remembers(client, tmp_path, server):
    cache = PictogramCache(client, tmp_path / "c", offline_retry_after=60)
    cached = cache.image_path(2248)
    server.fail("slow")
    for pid in (2349, 2276, 6061)[:TIMEOUTS_BEFORE_OFFLINE]:  # a few timeouts in a row...
        assert not cache.is_offline
        assert cache.image_path(pid) is None
    assert cache.is_offline and "in time" in cache.offline_reason
    before = server.count()
    started = time.monotonic()
    for pid in (2349, 2276, 6061, 2317) * 10:  # ...and not one per cell
        assert cache.image_path(pid) is None
    assert cache.image_path(2248) == cached  # the cache still answers
    assert cache.resolve("gato", "es") is None
    assert time.monotonic() - started < 0.2
    assert server.count() == before
    with pytest.raises(ArasaacOffline):
        cache.fetch_image(2349)
    with pytest.raises(ArasaacOffline):
        cache.search("gato", "es")

    server.heal()
    cache.go_online()  # "retry" button
    assert cache.image_path(2349) is not None


def test_offline_state_expires_by_itself(client, tmp_path, server):
    cache = PictogramCache(client, tmp_path / "c", offline_retry_after=0.2)
    server.stop()
    assert cache.image_path(2248) is None
    assert cache.is_offline
    server.restart()
    time.sleep(0.25)
    assert not cache.is_offline
    assert cache.image_path(2248) is not None


def test_server_errors_do_not_mark_offline_or_get_cached(cache, server):
    assert cache.image_path(424242) is None  # ARASAAC's 500 for an unknown id
    server.fail("truncated")
    assert cache.image_path(2248) is None
    server.fail("500")
    assert cache.image_path(2317) is None
    assert not cache.is_offline
    assert len(cache) == 0
    server.heal()
    assert cache.image_path(2248) is not None


def test_fetch_image_says_why(cache, server):
    server.fail("notpng")
    with pytest.raises(ArasaacBadResponse):
        cache.fetch_image(2248)


def test_search_results_are_cached_including_no_results(cache, server):
    assert cache.search("zzz", "es") == []
    assert cache.search("zzz", "es") == []
    assert cache.search("  Agua ", "es")[0].id == 32464
    assert cache.search("agua", "es")[0].id == 32464  # same key after normalising
    assert server.count("/search/") == 2


def test_stale_search_is_refreshed_online_and_served_offline(client, server, tmp_path):
    cache = PictogramCache(client, tmp_path / "c", search_ttl=0)
    assert [p.id for p in cache.search("agua", "es")] == [32464]
    server.pictos["es"].append(picto(99, ("agua", 2)))
    assert [p.id for p in cache.search("agua", "es")] == [32464, 99]  # refreshed
    server.stop()
    assert [p.id for p in cache.search("agua", "es")] == [32464, 99]  # stale but served
    assert cache.is_offline


def test_size_bound_evicts_least_recently_used(client, tmp_path):
    one = max(len(png_for(pid, {"resolution": "500"})) for pid in (2248, 2317, 2517, 2406))
    cache = PictogramCache(client, tmp_path / "c", max_bytes=one * 3)
    for pid in (2248, 2317, 2517):
        cache.image_path(pid)
    time.sleep(0.01)
    cache.image_path(2248)  # used again: now the most recent
    cache.image_path(2406)  # over the bound: trims to 90%, dropping the oldest
    assert cache.size_bytes <= one * 3
    assert cache.cached_image_path(2248) is not None
    assert cache.cached_image_path(2406) is not None
    assert cache.cached_image_path(2317) is None
    assert not (tmp_path / "c" / "images" / "2317" / "500.png").exists()


def test_corrupt_index_is_kept_aside_and_rebuilt_from_files(cache, tmp_path):
    cache.image_path(2248)
    cache.search("agua", "es")
    cache.close()
    root = tmp_path / "cache"
    (root / INDEX_NAME).write_text("{not json", encoding="utf-8")
    reopened = PictogramCache(None, root)
    assert len(reopened) == 2
    assert reopened.cached_image_path(2248) is not None
    assert reopened.search("agua", "es")[0].id == 32464  # no client: served from disk
    assert list(root.glob(f"{INDEX_NAME}.bad-*"))
    assert json.loads((root / INDEX_NAME).read_text())["version"] == 1


def test_files_written_before_a_crash_are_adopted_and_temp_files_removed(tmp_path):
    root = tmp_path / "c"
    image = root / "images" / "7" / "500.png"
    image.parent.mkdir(parents=True)
    image.write_bytes(make_png())
    leftover = image.parent / ".500.png.abc.tmp"
    leftover.write_bytes(b"half")
    cache = PictogramCache(None, root)
    assert cache.cached_image_path(7) == image
    assert not leftover.exists()


def test_files_deleted_behind_its_back_are_forgotten(cache, tmp_path):
    path = cache.image_path(2248)
    path.unlink()
    assert cache.cached_image_path(2248) is None
    assert cache.image_path(2248) == path  # fetched again


def test_unreadable_cached_search_is_dropped_and_refetched(cache, server, tmp_path):
    cache.search("agua", "es")
    (file,) = (tmp_path / "cache" / "search" / "es").glob("search-*.json")
    file.write_text("[[[", encoding="utf-8")
    assert cache.search("agua", "es")[0].id == 32464
    assert server.count("/search/") == 2


def test_bundled_folder_answers_when_the_user_cache_misses(client, tmp_path, server):
    bundle = tmp_path / "assets" / "pictograms"
    with PictogramCache(client, bundle, max_bytes=None) as filler:
        filler.image_path(2248)
        assert filler.resolve("casa", "es") == 6964
    server.stop()
    cache = PictogramCache(None, tmp_path / "user", fallback_dirs=[bundle])
    assert cache.cached_image_path(2248) == bundle / "images" / "2248" / "500.png"
    assert cache.resolve("casa", "es") == 6964
    assert cache.image_path(2349) is None
    assert len(cache) == 0  # the bundle is read, never copied or evicted


def test_store_image_accepts_only_png(tmp_path):
    cache = PictogramCache(None, tmp_path / "c")
    assert cache.store_image(5, make_png()).is_file()
    with pytest.raises(ArasaacBadResponse):
        cache.store_image(6, b"<html>")
    assert cache.cached_image_path(6) is None


def test_no_client_means_no_network(tmp_path):
    cache = PictogramCache(None, tmp_path / "c")
    assert cache.is_offline
    assert cache.image_path(2248) is None
    assert cache.resolve("agua", "es") is None
    assert cache.pictogram(2248, "es") is None


def test_default_root_follows_pictovoz_home(monkeypatch, tmp_path):
    monkeypatch.setenv("PICTOVOZ_HOME", str(tmp_path))
    assert default_cache_root() == tmp_path / "cache" / "pictograms"
    cache = PictogramCache(None)
    assert cache.root == tmp_path / "cache" / "pictograms"
    assert cache.root.is_dir()


def test_concurrent_cells_share_the_cache_safely(cache, server):
    errors: list[BaseException] = []
    ids = [2248, 2317, 2517, 2406, 2349, 6456] * 3

    def worker(pid: int) -> None:
        try:
            assert cache.image_path(pid) is not None
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(pid,)) for pid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(cache) == 6
    cache.flush()
    index = json.loads(Path(cache.root, INDEX_NAME).read_text())
    assert len(index["entries"]) == 6


# --- ARASAAC's semantics and robustness -----------------------------------------------------------


def test_an_unknown_id_is_no_picture_without_retries_or_going_offline(cache, server):
    assert cache.image_path(424242) is None
    assert server.count("/pictograms/424242") == 1  # ARASAAC's 500 here means "no such picture"
    assert not cache.is_offline
    assert cache.image_path(2248) is not None


def test_one_slow_image_does_not_take_the_cache_offline(cache, server):
    server.fail("slow", times=1, path_contains="/pictograms/2349")
    assert cache.image_path(2349) is None  # timed out...
    assert not cache.is_offline  # ...but the server is there
    assert cache.image_path(2248) is not None
    assert cache.image_path(2349) is not None  # and the slow one comes next time


def test_only_connection_failures_take_it_offline_at_once(client, server, tmp_path):
    cache = PictogramCache(client, tmp_path / "c", offline_retry_after=60)
    server.stop()
    assert cache.image_path(2248) is None
    assert cache.is_offline and "cannot be reached" in cache.offline_reason


def test_resolve_takes_only_an_exact_keyword_or_plural(cache, server):
    assert cache.resolve("grape", "en") is None  # `search` offers "grape juice": not the word
    assert cache.resolve("Tu", "es") == 6625  # accents and case ignored, like ARASAAC
    assert cache.resolve("arbol", "es") == 3057
    server.pictos["es"].append(picto(99001, ("rosa", 2, "rosas")))
    assert cache.resolve("Rosas", "es") == 99001  # a plural is exact too
    assert cache.resolve("palabra inexistente", "es") is None


def test_bad_ids_in_a_search_answer_are_skipped_and_never_cached(cache, server, tmp_path):
    for bad in (-5, 10**30):  # aac: would be ranked first if they got through
        server.pictos["es"].insert(0, picto(bad, ("agua", 2), aac=True))
    assert [p.id for p in cache.search("agua", "es")] == [32464]
    assert cache.resolve("agua", "es") == 32464
    cache.flush()
    stored = "".join(
        f.read_text(encoding="utf-8") for f in (tmp_path / "cache" / "search").rglob("*.json")
    )
    assert '"_id": 32464' in stored and "-5" not in stored and str(10**30) not in stored
    with pytest.raises(ValueError):
        cache.image_path(-5)


def test_pictures_too_large_to_show_are_never_cached(cache, server, tmp_path):
    server.fail("bomb", times=1)
    with pytest.raises(ArasaacBadResponse, match="too large"):
        cache.fetch_image(2248)
    assert cache.image_path(2248) is not None  # the real picture, next time
    server.fail("bomb", times=1)
    assert cache.image_path(2317) is None
    assert not (tmp_path / "cache" / "images" / "2317").exists()
    assert not cache.is_offline
    with pytest.raises(ArasaacBadResponse, match="too large"):
        cache.store_image(5, png_header(7900, 7900))  # an imported board's picture bomb
    assert cache.cached_image_path(5) is None
    assert not (tmp_path / "cache" / "images" / "5").exists()
    assert len(cache) == 1


def test_cancel_stops_a_download_at_once_and_writes_nothing(server, tmp_path):
    server.fail("slow")
    server.delay = 30.0  # far longer than the join below: only cancelling can end it
    client = ArasaacClient(server.base_url, timeout=(2.0, 60.0), deadline=60.0)
    cache = PictogramCache(client, tmp_path / "c")
    results: list[object] = []
    worker = threading.Thread(target=lambda: results.append(cache.image_path(2248)), daemon=True)
    worker.start()
    assert server.wait_for("/pictograms/2248")  # the server now holds the request
    cache.cancel()
    worker.join(timeout=5)
    assert not worker.is_alive()
    assert results == [None]
    assert not cache.is_offline  # closing is not an outage
    assert cache.cached_image_path(2248) is None
    with pytest.raises(ArasaacCancelled):
        cache.fetch_image(2317)

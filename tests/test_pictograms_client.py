"""The ARASAAC client against a real local HTTP server that answers like ARASAAC from its real
data (tests/arasaac_server.py): happy paths, retries, every bad answer, deadlines, cancelling."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import requests
from arasaac_server import FakeArasaac, free_port, make_png, picto, placeholder_png, png_header

import app
from app.core.arasaac import (
    LOCALES,
    attribution,
    check_locale,
    pictogram_id_from_url,
    static_url,
    valid_pictogram_id,
)
from app.pictograms.client import (
    ATTRIBUTION,
    ArasaacBadResponse,
    ArasaacCancelled,
    ArasaacClient,
    ArasaacError,
    ArasaacHTTPError,
    ArasaacNotFound,
    ArasaacTimeout,
    ArasaacUnavailable,
    ImageOptions,
    KeywordType,
    Pictogram,
    best_match,
    check_png,
    exact_matches,
    png_size,
    rank_results,
)

ARASAAC_README = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "arasaac" / ("README.md")
)

TIMEOUT = 0.4


@pytest.fixture
def client(server):
    with ArasaacClient(server.base_url, timeout=TIMEOUT, retries=2, backoff=0) as c:
        yield c


def test_search_returns_pictograms_in_the_api_shape(client, server):
    results = client.search("comer", "es")
    assert [p.id for p in results] == [6456]  # ARASAAC's communicator: COMER -> 6456
    first = results[0]
    assert first.label == "comer"
    assert first.keywords[0].type == KeywordType.VERB
    assert server.requests[-1][0] == "/api/pictograms/es/search/comer"
    eat = client.search("eat", "en", best=True)
    assert [p.id for p in eat] == [2349, 6456, 28641]
    assert [p.aac for p in eat] == [False, True, False]


def test_search_encodes_spaces_and_accents_and_uses_bestsearch(client, server):
    assert [p.id for p in client.search("quiero ir al baño", "es", best=True)] == [2430]
    assert server.requests[-1][0] == "/api/pictograms/es/bestsearch/quiero ir al baño"
    assert [p.id for p in client.search("Árbol", "es")] == [3057]


def test_search_ignores_case_and_accents_like_arasaac(client):
    assert [p.id for p in client.search("tu", "es", best=True)] == [6625]  # finds "tú"
    assert [p.id for p in client.search("ARBOL", "es")] == [3057]


def test_search_falls_back_to_related_pictures_but_exact_matches_tell(client):
    # The real `search` answers "grape juice" for "grape"; only an exact keyword is the word.
    results = client.search("grape", "en")
    assert 11405 in [p.id for p in results]
    assert exact_matches(results, "grape") == []
    assert client.search("grape", "en", best=True) == []
    tu = client.search("tu", "es")
    assert [p.id for p in exact_matches(tu, "Tu")] == [6625]
    plural = Pictogram.from_json(picto(7105, ("flor", 2, "flores")))
    assert exact_matches([plural], "FLORES") == [plural]


def test_search_without_results_is_an_empty_list(client):
    # The API answers 404 when nothing matches; that is not an error for a search.
    assert client.search("zzzz", "es") == []
    assert client.search("   ", "es") == []


def test_metadata_by_id_and_not_found(client):
    p = client.pictogram(2517, "en")
    assert p.id == 2517 and [k.keyword for k in p.keywords] == ["dog"]
    with pytest.raises(ArasaacNotFound) as err:
        client.pictogram(999999, "es")
    assert err.value.status == 404


def test_image_with_options_sends_the_query_and_checks_the_png(client, server):
    options = ImageOptions(
        plural=True, action="past", color=False, skin="aztec", hair="darkBrown", resolution=2500
    )
    data = client.image(2349, options)
    check_png(data)
    path, query = server.requests[-1]
    assert path == "/api/pictograms/2349"
    assert query == {
        "plural": "true",
        "action": "past",
        "color": "false",
        "skin": "aztec",
        "hair": "darkBrown",
        "resolution": "2500",
    }
    assert options.variant == "2500_plural_nocolor_action-past_skin-aztec_hair-darkBrown"
    assert client.image(2349) != data  # the default image is another file
    assert server.requests[-1][1] == {"resolution": "500"}


@pytest.mark.parametrize(
    "bad",
    [
        {"action": "present"},
        {"skin": "green"},
        {"hair": "../../etc"},
        {"resolution": 300},
    ],
)
def test_image_options_reject_values_the_api_does_not_have(bad):
    with pytest.raises(ValueError):
        ImageOptions(**bad)


def test_server_error_is_retried_then_reported(client, server):
    server.fail("500")
    with pytest.raises(ArasaacHTTPError) as err:
        client.search("agua", "es")
    assert err.value.status == 500
    assert "HTTP 500" in str(err.value)
    assert server.count("/search/") == 3  # first try + 2 retries


def test_a_passing_server_error_is_retried_away(client, server):
    server.fail("500", times=1)
    assert [p.id for p in client.search("agua", "es")] == [32464]
    assert server.count("/search/") == 2


def test_too_many_requests_is_retried_with_retry_after(client, server):
    server.fail("429", times=2)
    assert client.image(2248).startswith(b"\x89PNG")
    assert server.count("/pictograms/2248") == 3


def test_html_instead_of_json_is_a_clear_error(client, server):
    server.fail("html")
    with pytest.raises(ArasaacBadResponse, match="not JSON"):
        client.search("agua", "es")


def test_broken_json_is_a_clear_error(client, server):
    server.fail("badjson")
    with pytest.raises(ArasaacBadResponse, match="not JSON"):
        client.pictogram(2248, "es")


def test_non_image_body_is_refused(client, server):
    server.fail("notpng")
    with pytest.raises(ArasaacBadResponse, match="Expected a PNG"):
        client.image(2248)


def test_truncated_png_is_refused(client, server):
    server.fail("truncated")
    with pytest.raises(ArasaacBadResponse, match="truncated"):
        client.image(2248)


def test_connection_cut_mid_image_is_refused(client, server):
    server.fail("cut")
    with pytest.raises(ArasaacBadResponse):
        client.image(2248)


def test_slow_server_costs_one_timeout_not_several(client, server):
    server.fail("slow")
    started = time.monotonic()
    with pytest.raises(ArasaacTimeout, match="no answer in time"):
        client.search("agua", "es")
    assert time.monotonic() - started < TIMEOUT * 2.5
    assert server.count("/search/") == 1  # read timeouts are not retried


def test_unreachable_server_is_unavailable():
    url = f"http://127.0.0.1:{free_port()}/api"
    with ArasaacClient(url, timeout=TIMEOUT, retries=1, backoff=0) as c:
        started = time.monotonic()
        with pytest.raises(ArasaacUnavailable, match="connection refused"):
            c.image(2248)
        assert time.monotonic() - started < 2


def test_a_dropped_keep_alive_connection_is_not_an_outage(client, server):
    assert client.search("agua", "es")
    server.drop_connections()
    assert client.search("agua", "es")


def test_search_skips_entries_without_an_id(client, server):
    server.pictos["es"].append({"keywords": [{"keyword": "agua", "type": 2}]})
    assert [p.id for p in client.search("agua", "es")] == [32464]


def test_bad_arguments_are_refused_before_any_request(client, server):
    with pytest.raises(ValueError):
        client.image(-3)
    with pytest.raises(ValueError):
        client.search("agua", "es/../../x")
    assert server.requests == []


def test_ranking_prefers_exact_aac_and_fitting_type():
    results = [
        Pictogram.from_json(picto(1, ("gatos", 2))),
        Pictogram.from_json(picto(2, ("gato", 2), categories=("tool",))),
        Pictogram.from_json(picto(3, ("gato", 2), aac=True)),
        Pictogram.from_json(picto(4, ("gato", 3), aac=True)),
    ]
    assert [p.id for p in rank_results(results, "gato")] == [3, 4, 2, 1]
    assert best_match(results, "Gato", KeywordType.VERB).id == 4
    assert best_match(results, "gato", KeywordType.NOUN).id == 3
    assert best_match([], "gato") is None


def test_pictogram_json_round_trip():
    raw = picto(6456, ("comer", 3), aac=True, categories=("core vocabulary",))
    p = Pictogram.from_json(raw)
    assert Pictogram.from_json(p.to_json()) == p
    with pytest.raises(ArasaacBadResponse):
        Pictogram.from_json({"_id": True})


def test_static_urls_and_ids():
    assert static_url(2349) == "https://static.arasaac.org/pictograms/2349/2349_500.png"
    assert pictogram_id_from_url(static_url(2349, 300)) == 2349
    assert (
        pictogram_id_from_url("https://static.arasaac.org/pictograms/2349/2349_action-past_300.png")
        == 2349
    )
    assert pictogram_id_from_url("https://example.org/pictograms/2349/2349_500.png") is None
    assert pictogram_id_from_url("https://static.arasaac.org/pictograms/1/2_500.png") is None
    big = "1" + "0" * 30
    assert (
        pictogram_id_from_url(f"https://static.arasaac.org/pictograms/{big}/{big}_500.png") is None
    )
    assert static_url(7, base="http://127.0.0.1:9/static/pictograms/") == (
        "http://127.0.0.1:9/static/pictograms/7/7_500.png"
    )
    with pytest.raises(ValueError):
        static_url(-5)


def test_png_check_catches_corruption():
    good = make_png()
    check_png(good)
    corrupt = bytearray(good)
    corrupt[30] ^= 0xFF  # inside IHDR: checksum no longer matches
    with pytest.raises(ArasaacBadResponse, match="corrupt"):
        check_png(bytes(corrupt))
    with pytest.raises(ArasaacBadResponse, match="truncated"):
        check_png(good[:-6])


def test_png_check_refuses_pictures_too_large_to_show_before_decoding():
    check_png(placeholder_png(2349, 2500))  # ARASAAC's biggest size is fine
    assert png_size(png_header(7900, 7900)) == (7900, 7900)
    for width, height in ((7900, 7900), (20000, 20000), (2501, 10), (10, 2501)):
        with pytest.raises(ArasaacBadResponse, match="too large"):
            check_png(png_header(width, height))
    with pytest.raises(ArasaacBadResponse, match="zero"):
        check_png(png_header(0, 10))


# --- the local server answers like ARASAAC (the client's tests mean nothing otherwise) ----------


def test_the_test_server_answers_like_arasaac(server):
    api = server.base_url

    def get(path: str, **params: str) -> requests.Response:
        return requests.get(f"{api}{path}", params=params, timeout=5)

    missing = get("/pictograms/es/search/zzzzqq")
    assert missing.status_code == 404 and missing.json() == []
    assert get("/pictograms/424242").status_code == 500  # an unknown image id: 500, not 404
    assert get("/pictograms/2349", resolution="300").status_code == 400
    assert get("/pictograms/2349", size="500").status_code == 400  # unknown parameter
    assert get("/pictograms/es/search/agua", foo="1").status_code == 400
    assert get("/pictograms/xx/search/agua").status_code == 400  # unknown locale
    image = get("/pictograms/2349", resolution="2500", action="past")
    assert image.status_code == 200 and png_size(image.content) == (2500, 2500)
    check_png(image.content)
    static = requests.get(f"{server.static_base}/2349/2349_500.png", timeout=5)
    assert static.status_code == 200 and png_size(static.content) == (500, 500)
    assert requests.get(f"{server.static_base}/424242/424242_500.png", timeout=5).status_code == 404
    words = get("/keywords/es").json()
    assert words["locale"] == "es" and "agua" in words["words"]


# --- ARASAAC's semantics in the client -----------------------------------------------------------


def test_an_unknown_image_id_is_no_such_picture_at_once(client, server):
    # ARASAAC answers 500 for an id it does not have: no retries, no "server error".
    with pytest.raises(ArasaacNotFound) as err:
        client.image(424242)
    assert "no pictogram 424242" in str(err.value)
    assert "server had an error" not in str(err.value)
    assert server.count("/pictograms/424242") == 1


def test_plain_images_come_from_the_static_server(server):
    with ArasaacClient(server.base_url, static_base=server.static_base, timeout=TIMEOUT) as c:
        plain = c.image(2349)
        assert server.requests[-1] == ("/static/pictograms/2349/2349_500.png", {})
        assert png_size(plain) == (500, 500)
        c.image(2349, ImageOptions(resolution=2500))
        assert server.requests[-1][0] == "/static/pictograms/2349/2349_2500.png"
        c.image(2349, ImageOptions(action="past"))  # variants are rendered by the API
        assert server.requests[-1] == (
            "/api/pictograms/2349",
            {"resolution": "500", "action": "past"},
        )
        with pytest.raises(ArasaacNotFound):
            c.image(424242)
    assert ArasaacClient().static_base == "https://static.arasaac.org/pictograms"
    assert ArasaacClient("http://127.0.0.1:9/api").static_base == ""  # a mirror: all from it


def test_user_agent_names_the_package_version_and_project(client, server):
    client.search("agua", "es")
    agent = server.user_agents[-1]
    assert agent.startswith(f"PictoVoz/{app.__version__} ")
    assert "https://" in agent


def test_languages_outside_arasaac_are_refused_clearly_before_any_request(client, server):
    for bad in ("xx", "fr-CA", "es/../../x", ""):
        with pytest.raises(ValueError, match="ARASAAC has no pictograms in the language") as err:
            client.search("agua", bad)
        assert isinstance(err.value, ArasaacError)  # callers that catch ArasaacError keep going
    assert "es, et" in str(err.value)  # the message lists what exists
    assert server.requests == []
    assert client.search("agua", "val") == []  # Valencian exists (no data here: no results)
    assert check_locale(" ES ") == "es" and "br" in LOCALES and "zh" in LOCALES


def test_attribution_is_arasaacs_own_wording_in_both_languages():
    readme = ARASAAC_README.read_text(encoding="utf-8")
    for lang in ("es", "en"):
        assert f'"{attribution(lang)}"' in readme  # verbatim, quotes and all
        assert ATTRIBUTION[lang] == attribution(lang)
    assert attribution("es").startswith("Autor pictogramas: Sergio Palao.")
    assert attribution("fr") == attribution("en")
    assets = Path(__file__).resolve().parents[1] / "assets" / "pictograms" / "README.md"
    text = " ".join(assets.read_text(encoding="utf-8").split())
    assert attribution("es") in text and attribution("en") in text


# --- robustness: ids, deadlines, redirects, cancelling -------------------------------------------


@pytest.mark.parametrize("raw", [-5, 0, 10**30, 10**7, True, 2.5, "12a", None, "-3"])
def test_bad_pictogram_ids_are_not_ids(raw):
    assert valid_pictogram_id(raw) is None
    with pytest.raises(ArasaacBadResponse):
        Pictogram.from_json({"_id": raw, "keywords": []})


def test_search_answers_with_bad_ids_are_skipped_not_a_crash(client, server):
    for bad in (-5, 10**30, 0, "abc", True):
        server.pictos["es"].insert(0, picto(bad, ("agua", 2), aac=True))
    assert [p.id for p in client.search("agua", "es")] == [32464]
    with pytest.raises(ValueError):
        client.image(10**30)


def test_a_trickling_server_fails_within_the_deadline(server):
    """1 byte every 20 ms never trips a read timeout; the request's deadline stops it."""
    body = placeholder_png(2248)
    server.fail("trickle")
    server.trickle_interval = 0.02  # the whole image would take len(body) * 20 ms (~30 s)
    c = ArasaacClient(server.base_url, timeout=(1.0, 5.0), deadline=0.5, retries=2)
    with c, pytest.raises(ArasaacTimeout, match="in time"):
        c.image(2248)
    assert server.trickled < len(body) // 2
    assert server.count("/pictograms/2248") == 1  # a deadline is not retried


def test_a_trickling_search_fails_within_the_deadline(server):
    server.fail("trickle")
    server.trickle_interval = 0.05
    c = ArasaacClient(server.base_url, timeout=(1.0, 5.0), deadline=0.5)
    with c, pytest.raises(ArasaacTimeout):
        c.search("agua", "es")


def test_redirects_are_followed_only_on_the_same_host(client, server):
    with FakeArasaac() as elsewhere:
        server.fail("redirect", times=1, location=f"{elsewhere.base_url}/pictograms/es/search/agua")
        with pytest.raises(ArasaacBadResponse, match="another address"):
            client.search("water", "es")
        assert elsewhere.requests == []
    server.fail("redirect", times=1, location="/api/pictograms/es/search/agua")
    assert [p.id for p in client.search("zumo de algo", "es")] == [32464]  # same host: fine


def test_closing_cancels_a_download_in_flight_at_once(server):
    server.fail("slow")
    server.delay = 30.0  # far longer than the join below: only cancelling can end it
    outcome: list[BaseException | bytes] = []
    c = ArasaacClient(server.base_url, timeout=(2.0, 60.0), deadline=60.0)

    def download() -> None:
        try:
            outcome.append(c.image(2248))
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=download, daemon=True)
    worker.start()
    assert server.wait_for("/pictograms/2248")  # the server now holds the request
    c.close()
    worker.join(timeout=5)
    assert not worker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], ArasaacCancelled)
    with pytest.raises(ArasaacCancelled):
        c.search("agua", "es")  # closed: no new requests
    assert server.count("/search/") == 0


def test_cancel_cuts_what_is_in_flight_and_keeps_the_client(server):
    server.fail("slow", times=1)
    server.delay = 30.0
    c = ArasaacClient(server.base_url, timeout=(2.0, 60.0), deadline=60.0)
    errors: list[BaseException] = []

    def search() -> None:
        try:
            c.search("agua", "es")
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=search, daemon=True)
    worker.start()
    assert server.wait_for("/search/")  # the server now holds the request
    c.cancel()
    worker.join(timeout=5)
    assert not worker.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], ArasaacCancelled)
    assert [p.id for p in c.search("agua", "es")] == [32464]
    c.close()

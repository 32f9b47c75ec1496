"""The ARASAAC client against a real local HTTP server: happy paths, retries, every bad answer."""

from __future__ import annotations

import time

import pytest
from arasaac_server import free_port, make_png, picto

from app.core.arasaac import pictogram_id_from_url, static_url
from app.pictograms.client import (
    ArasaacBadResponse,
    ArasaacClient,
    ArasaacHTTPError,
    ArasaacNotFound,
    ArasaacUnavailable,
    ImageOptions,
    KeywordType,
    Pictogram,
    best_match,
    check_png,
    rank_results,
)

TIMEOUT = 0.4


@pytest.fixture
def client(server):
    with ArasaacClient(server.base_url, timeout=TIMEOUT, retries=2, backoff=0) as c:
        yield c


def test_search_returns_pictograms_in_the_api_shape(client, server):
    results = client.search("comer", "es")
    assert [p.id for p in results] == [2349, 6456]
    first = results[0]
    assert first.label == "comer"
    assert first.keywords[0].type == KeywordType.VERB
    assert [p.aac for p in results] == [False, True]
    assert server.requests[-1][0] == "/api/pictograms/es/search/comer"


def test_search_encodes_spaces_and_accents_and_uses_bestsearch(client, server):
    assert [p.id for p in client.search("por qué", "es", best=True)] == [22620]
    assert server.requests[-1][0] == "/api/pictograms/es/bestsearch/por qué"
    assert [p.id for p in client.search("Árbol", "es")] == [3057]


def test_search_without_results_is_an_empty_list(client):
    # The API answers 404 when nothing matches; that is not an error for a search.
    assert client.search("zzzz", "es") == []
    assert client.search("   ", "es") == []


def test_metadata_by_id_and_not_found(client):
    p = client.pictogram(2517, "es")
    assert p.id == 2517 and [k.keyword for k in p.keywords] == ["perro", "can"]
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
    assert [p.id for p in client.search("agua", "es")] == [2248]
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
    with pytest.raises(ArasaacUnavailable, match="no answer in time"):
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
    assert [p.id for p in client.search("agua", "es")] == [2248]


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


def test_png_check_catches_corruption():
    good = make_png()
    check_png(good)
    corrupt = bytearray(good)
    corrupt[30] ^= 0xFF  # inside IHDR: checksum no longer matches
    with pytest.raises(ArasaacBadResponse, match="corrupt"):
        check_png(bytes(corrupt))
    with pytest.raises(ArasaacBadResponse, match="truncated"):
        check_png(good[:-6])

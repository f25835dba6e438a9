"""ETag / If-Match / If-None-Match: parsing and RFC 9110 matching, and the problem answers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from shared.errors import PreconditionFailed, PreconditionRequired
from shared.http.etag import (
    EntityTag,
    IfMatchHeader,
    InvalidPrecondition,
    check_if_match,
    etag_for,
    not_modified,
    parse_etag,
    parse_etag_list,
    set_etag,
)
from shared.http.problems import PROBLEM_BASE, install_problem_handlers


def test_etag_for_is_a_quoted_strong_tag_that_changes_with_the_version() -> None:
    first = etag_for("course-1", 1)
    second = etag_for("course-1", 2)

    assert first.startswith('"')
    assert first.endswith('"')
    assert not first.startswith("W/")
    assert parse_etag(first) == EntityTag(first.strip('"'))
    assert first != second
    assert etag_for("course-1", 1) == first


def test_etag_for_differs_between_resources_at_the_same_version() -> None:
    assert etag_for("course-1", 3) != etag_for("course-2", 3)


def test_a_list_is_scanned_with_weak_tags_empty_members_and_commas_inside_tags() -> None:
    value = ' , "a,b" ,W/"c",  "" ,'

    tags = parse_etag_list(value)

    assert tags == (EntityTag("a,b"), EntityTag("c", weak=True), EntityTag(""))


def test_a_star_is_read_as_any() -> None:
    assert parse_etag_list(" * ") == "*"


@pytest.mark.parametrize(
    "value",
    ["5", '"a" "b"', '"a', "W/", 'w/"a"', 'W/ "a"', "", " , ", '"a"x', '"a b"', '*, "a"'],
)
def test_a_malformed_list_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="entity-tag"):
        parse_etag_list(value)


def test_a_matching_if_match_lets_the_update_proceed() -> None:
    current = etag_for("n-1", 4)

    check_if_match(f'"other", {current}', current)


def test_a_stale_if_match_is_a_failed_precondition() -> None:
    with pytest.raises(PreconditionFailed):
        check_if_match(etag_for("n-1", 3), etag_for("n-1", 4))


def test_a_weak_tag_never_matches_if_match_even_with_the_same_opaque_value() -> None:
    current = etag_for("n-1", 4)

    with pytest.raises(PreconditionFailed):
        check_if_match(f"W/{current}", current)


@pytest.mark.parametrize("header", [None, "", "  "])
def test_a_missing_if_match_is_a_required_precondition(header: str | None) -> None:
    with pytest.raises(PreconditionRequired):
        check_if_match(header, etag_for("n-1", 1))


def test_a_malformed_if_match_is_a_bad_request_not_a_failed_precondition() -> None:
    with pytest.raises(InvalidPrecondition):
        check_if_match("4", etag_for("n-1", 4))


def test_a_star_matches_an_existing_resource_but_not_a_missing_one() -> None:
    check_if_match("*", etag_for("n-1", 1))

    with pytest.raises(PreconditionFailed):
        check_if_match("*", None)


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    state = {"version": 2}

    @app.patch("/things/{thing_id}")
    async def update_thing(
        thing_id: str, if_match: IfMatchHeader, response: Response
    ) -> dict[str, int]:
        if_match.check(etag_for(thing_id, state["version"]))
        state["version"] += 1
        set_etag(response, thing_id, state["version"])
        return state

    @app.get("/things/{thing_id}", response_model=None)
    async def read_thing(
        thing_id: str, request: Request, response: Response
    ) -> Response | dict[str, int]:
        etag = etag_for(thing_id, state["version"])
        unchanged = not_modified(request, etag)
        if unchanged is not None:
            return unchanged
        response.headers["ETag"] = etag
        return state

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def test_an_update_without_if_match_answers_428_problem_json(
    client: httpx.AsyncClient,
) -> None:
    response = await client.patch("/things/t1")

    assert response.status_code == 428
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == PROBLEM_BASE + "precondition-required"


async def test_an_update_with_a_stale_etag_answers_412_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    stale = etag_for("t1", 1)

    response = await client.patch("/things/t1", headers={"If-Match": stale})
    after = await client.get("/things/t1")

    assert response.status_code == 412
    assert response.json()["type"] == PROBLEM_BASE + "precondition-failed"
    assert after.json() == {"version": 2}


async def test_an_update_with_an_unquoted_if_match_answers_400(client: httpx.AsyncClient) -> None:
    response = await client.patch("/things/t1", headers={"If-Match": "2"})

    assert response.status_code == 400
    assert response.json()["type"] == PROBLEM_BASE + "invalid-precondition"


async def test_an_update_with_the_current_etag_succeeds_and_returns_the_new_etag(
    client: httpx.AsyncClient,
) -> None:
    read = await client.get("/things/t1")

    response = await client.patch("/things/t1", headers={"If-Match": read.headers["ETag"]})

    assert response.status_code == 200
    assert response.headers["ETag"] == etag_for("t1", 3)
    assert response.headers["ETag"] != read.headers["ETag"]


async def test_a_get_with_a_matching_if_none_match_answers_304(client: httpx.AsyncClient) -> None:
    etag = (await client.get("/things/t1")).headers["ETag"]

    unchanged = await client.get("/things/t1", headers={"If-None-Match": f'"x", W/{etag}'})
    changed = await client.get("/things/t1", headers={"If-None-Match": '"x"'})
    malformed = await client.get("/things/t1", headers={"If-None-Match": "x"})

    assert unchanged.status_code == 304
    assert unchanged.headers["ETag"] == etag
    assert unchanged.content == b""
    assert changed.status_code == 200
    assert malformed.status_code == 200

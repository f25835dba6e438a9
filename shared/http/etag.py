"""Optimistic concurrency: `ETag` on reads, `If-Match` required on updates, 412 on a stale write.

A versioned resource's ETag is strong and opaque: `etag_for(id, version)` hashes the id and a
version that every committed change increments, so it differs between resources and between
versions. An update:

    @router.patch("/courses/{course_id}")
    async def update_course(course_id: UUID, body: CourseUpdate, if_match: IfMatchHeader,
                            response: Response) -> CoursePublic:
        course = await repo.get(course_id)                      # 404 first
        if_match.check(etag_for(course.id, course.version))     # 412 when stale
        ...  # UPDATE ... WHERE id = :id AND version = :read_version; 0 rows -> PreconditionFailed
        set_etag(response, course.id, course.version + 1)

Invariants (RFC 9110 section 13.1):
- A missing `If-Match` on an update is 428 `precondition-required`; a malformed one is 400
  `invalid-precondition` (a client that sent `If-Match: 5` learns to quote, rather than being
  told the resource changed); a non-matching one is 412 `precondition-failed`.
- `If-Match` uses the strong comparison: a weak tag (`W/"..."`) never matches. `*` matches
  any current representation, never a missing one. A list matches when any member does.
- `If-None-Match` on GET/HEAD uses the weak comparison and answers 304 with the ETag.
- Checking the header against the version read is not enough under concurrency: the write
  itself must be conditional on that version (`WHERE version = :read_version`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Header, Request
from starlette.responses import Response

from shared.errors import DomainError, PreconditionFailed, PreconditionRequired

# entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE; etagc = %x21 / %x23-7E / obs-text
_ENTITY_TAG = re.compile(r'(W/)?"([\x21\x23-\x7e\x80-\xff]*)"')
_OWS_COMMA = re.compile(r"[ \t]*(?:,[ \t]*)*")


class InvalidPrecondition(DomainError):
    code = "invalid-precondition"
    status = 400
    title = "Malformed conditional header"


@dataclass(frozen=True)
class EntityTag:
    opaque: str
    weak: bool = False

    def __str__(self) -> str:
        return f'{"W/" if self.weak else ""}"{self.opaque}"'

    def strong_match(self, other: EntityTag) -> bool:
        return not self.weak and not other.weak and self.opaque == other.opaque

    def weak_match(self, other: EntityTag) -> bool:
        return self.opaque == other.opaque


def etag_for(resource_id: object, version: int) -> str:
    """The strong ETag (quoted) of version `version` of the resource `resource_id`."""
    digest = hashlib.sha256(f"{resource_id}\x00{version}".encode()).hexdigest()[:20]
    return f'"{digest}"'


def set_etag(response: Response, resource_id: object, version: int) -> str:
    """Put the resource's ETag on `response`; returns it."""
    etag = etag_for(resource_id, version)
    response.headers["ETag"] = etag
    return etag


def parse_etag(value: str) -> EntityTag:
    """One entity-tag; ValueError when `value` is not exactly one."""
    match = _ENTITY_TAG.fullmatch(value.strip(" \t"))
    if match is None:
        raise ValueError(f"not an entity-tag: {value!r}")
    return EntityTag(match.group(2), weak=match.group(1) is not None)


def parse_etag_list(value: str) -> tuple[EntityTag, ...] | Literal["*"]:
    """`*` or the entity-tags of an If-Match/If-None-Match value; ValueError when malformed.

    Commas may appear inside a tag, so the value is scanned rather than split.
    """
    if value.strip(" \t") == "*":
        return "*"
    tags: list[EntityTag] = []
    pos = _skip_separators(value, 0)
    while pos < len(value):
        match = _ENTITY_TAG.match(value, pos)
        if match is None:
            raise ValueError(f"malformed entity-tag list at position {pos}")
        tags.append(EntityTag(match.group(2), weak=match.group(1) is not None))
        pos = match.end()
        following = _skip_separators(value, pos)
        if following < len(value) and "," not in value[pos:following]:
            raise ValueError(f"entity-tags must be separated by commas (position {pos})")
        pos = following
    if not tags:
        raise ValueError("empty entity-tag list")
    return tuple(tags)


def _skip_separators(value: str, pos: int) -> int:
    match = _OWS_COMMA.match(value, pos)
    return match.end() if match else pos


@dataclass(frozen=True)
class IfMatch:
    """A parsed If-Match precondition."""

    tags: tuple[EntityTag, ...] | Literal["*"]

    def matches(self, current_etag: str | None) -> bool:
        """RFC 9110 13.1.1; `current_etag` None means the resource has no representation."""
        if current_etag is None:
            return False
        if self.tags == "*":
            return True
        current = parse_etag(current_etag)
        return any(tag.strong_match(current) for tag in self.tags)

    def check(self, current_etag: str | None) -> None:
        """PreconditionFailed (412) unless the precondition holds for `current_etag`."""
        if not self.matches(current_etag):
            raise PreconditionFailed(
                "The resource changed since you read it (If-Match does not match its ETag): "
                "read it again and reapply your change."
            )


def parse_if_match(header_value: str | None) -> IfMatch:
    """PreconditionRequired (428) when absent, InvalidPrecondition (400) when malformed."""
    if header_value is None or not header_value.strip(" \t"):
        raise PreconditionRequired(
            "This update needs an If-Match header with the ETag of the version you read."
        )
    try:
        return IfMatch(parse_etag_list(header_value))
    except ValueError:
        raise InvalidPrecondition(
            'If-Match must be "*" or a list of quoted entity-tags, e.g. If-Match: "a1b2c3".'
        ) from None


def check_if_match(header_value: str | None, current_etag: str | None) -> None:
    """Raise 428/400/412 (see `parse_if_match`, `IfMatch.check`) unless the update may proceed."""
    parse_if_match(header_value).check(current_etag)


async def require_if_match(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description="The ETag you read; required on updates (428 without, 412 when stale).",
            examples=['"3f2a9c0b1d4e5f607182"'],
        ),
    ] = None,
) -> IfMatch:
    """Dependency: the request's If-Match, 428 when missing, 400 when malformed."""
    return parse_if_match(if_match)


IfMatchHeader = Annotated[IfMatch, Depends(require_if_match)]


def not_modified(request: Request, current_etag: str) -> Response | None:
    """A 304 when a GET/HEAD's If-None-Match matches `current_etag` (weakly), else None.

    A malformed If-None-Match is ignored (RFC 9110 lets a server do so): the full answer follows.
    """
    header = request.headers.get("if-none-match")
    if header is None or request.method not in ("GET", "HEAD"):
        return None
    try:
        tags = parse_etag_list(header)
    except ValueError:
        return None
    current = parse_etag(current_etag)
    if tags == "*" or any(tag.weak_match(current) for tag in tags):
        return Response(status_code=304, headers={"ETag": current_etag})
    return None

"""The compatibility rules for event schemas."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel

from shared.contracts.compat import breaking_changes
from shared.contracts.types import OpenCode


class Base(BaseModel):
    a: int
    b: str | None = None
    kind: Literal["x", "y"]


def _schema(model: type[BaseModel]) -> dict:  # type: ignore[type-arg]
    return model.model_json_schema()


def test_adding_an_optional_field_is_compatible() -> None:
    class New(Base):
        c: int | None = None

    assert breaking_changes(_schema(Base), _schema(New)) == []


def test_adding_a_required_field_breaks_consumers() -> None:
    class New(Base):
        c: int

    assert breaking_changes(_schema(Base), _schema(New)) == ["$.c: new required property"]


def test_removing_a_field_breaks_consumers() -> None:
    class New(BaseModel):
        a: int
        kind: Literal["x", "y"]

    assert breaking_changes(_schema(Base), _schema(New)) == ["$.b: removed"]


def test_changing_a_type_breaks_consumers() -> None:
    class New(BaseModel):
        a: str
        b: str | None = None
        kind: Literal["x", "y"]

    assert breaking_changes(_schema(Base), _schema(New)) == [
        "$.a: type, format or allowed values changed"
    ]


def test_adding_an_enum_value_breaks_strict_consumers() -> None:
    class New(BaseModel):
        a: int
        b: str | None = None
        kind: Literal["x", "y", "z"]

    assert breaking_changes(_schema(Base), _schema(New)) == [
        "$.kind: type, format or allowed values changed"
    ]


def test_changing_only_descriptions_is_compatible() -> None:
    class New(BaseModel):
        """Another docstring."""

        NOTE: ClassVar[str] = "class variables are not fields"
        a: int
        b: str | None = None
        kind: Literal["x", "y"]

    assert breaking_changes(_schema(Base), _schema(New)) == []


Code = Literal["a", "b", "other"]


class Texted(BaseModel):
    reason: str
    note: str | None = None


class Coded(BaseModel):
    reason: Annotated[Code, OpenCode()]
    note: Annotated[Code, OpenCode()] | None = None


def test_free_text_narrowed_to_an_open_code_set_is_compatible() -> None:
    assert breaking_changes(_schema(Texted), _schema(Coded)) == []


def test_an_open_code_set_may_gain_codes() -> None:
    class More(BaseModel):
        reason: Annotated[Literal["a", "b", "c", "other"], OpenCode()]
        note: Annotated[Literal["a", "b", "c", "other"], OpenCode()] | None = None

    assert breaking_changes(_schema(Coded), _schema(More)) == []


def test_an_open_code_set_that_becomes_text_again_or_changes_its_fallback_breaks() -> None:
    class OtherFallback(BaseModel):
        reason: Annotated[Literal["a", "b", "unknown"], OpenCode("unknown")]
        note: Annotated[Code, OpenCode()] | None = None

    assert breaking_changes(_schema(Coded), _schema(Texted)) == [
        "$.note|0: type, format or allowed values changed",
        "$.reason: type, format or allowed values changed",
    ]
    assert breaking_changes(_schema(Coded), _schema(OtherFallback)) == [
        "$.reason: the fallback of an open code set changed"
    ]


def test_a_closed_enum_narrowed_from_text_still_breaks() -> None:
    class Closed(BaseModel):
        reason: Code
        note: str | None = None

    assert breaking_changes(_schema(Texted), _schema(Closed)) == [
        "$.reason: type, format or allowed values changed"
    ]


def test_an_open_code_reads_free_text_as_its_fallback() -> None:
    coded = Coded.model_validate({"reason": "Returned home: John Smith", "note": "b"})

    assert (coded.reason, coded.note) == ("other", "b")

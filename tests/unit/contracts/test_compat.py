"""The compatibility rules for event schemas."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel

from shared.contracts.compat import breaking_changes


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

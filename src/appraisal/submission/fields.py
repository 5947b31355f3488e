"""The field kinds a year's indicators may use, and the checks every submission shares.

In: a field's declaration from ``indicators.yaml`` (``FieldDef``). Out: the pydantic annotation that validates it,
with every constraint JSON Schema can state written into the schema as well (bounds, ``multipleOf``, patterns,
enums), so a form built from ``appraisal schema`` accepts what validation accepts.

Kinds: ``count`` (whole, >= 0), ``flag`` (true/false), ``share`` (percent, 0-100), ``money`` (yuan, two
decimals), ``number`` (bounds and decimals as declared), ``date``, ``text`` (shown, never a fact) and
``choice`` (one of the listed ids, compared with ``==``). Numbers are JSON numbers; money may also be a plain
ASCII decimal text (``"2000.00"``), never ``"1_000"`` or other scripts' digits.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Final, Literal

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

if TYPE_CHECKING:
    from .indicators import FieldDef

Kind = Literal["count", "flag", "share", "money", "number", "date", "text", "choice"]
KINDS: Final[tuple[str, ...]] = ("count", "flag", "share", "money", "number", "date", "text", "choice")
FactKind = Literal["flag", "count", "number", "choice"]
"""What a fact attribute is to the engine: yes/no, a whole number, a number, or a choice's id."""
FACT_KINDS: Final[dict[str, FactKind]] = {
    "count": "count",
    "flag": "flag",
    "share": "number",
    "money": "number",
    "number": "number",
    "choice": "choice",
}
COUNT_MAX: Final = 10_000_000
MONEY_MAX: Final = Decimal(10) ** 12
TEXT_MAX: Final = 2000


# --- characters ------------------------------------------------------------------------------------------------

# Characters that draw nothing though Unicode calls them letters or symbols (Hangul fillers, the braille
# blank): a name made only of them, or of spaces, is blank.
INVISIBLE: Final = "\u115f\u1160\u3164\uffa0\u2800"
_REFUSED_CATEGORIES = ("Cc", "Cf", "Zl", "Zp", "Co", "Cs")


@cache
def _refused_ranges(allow_newlines: bool) -> str:
    """A regex character class body of every code point in the refused categories (control, format, line and
    paragraph separators, private use), as ranges: ``\\uXXXX`` in the BMP and the characters themselves beyond
    it, which Python's, Rust's and ECMAScript's (``u`` flag) regexes all read. Surrogates are left out: no
    engine's class may hold them, and no valid text has them."""
    ranges: list[tuple[int, int]] = []
    kept = "\t\n\r" if allow_newlines else ""
    for code in range(0xE1000):  # planes 15 and 16 are private use throughout: added whole below
        char = chr(code)
        if unicodedata.category(char) in _REFUSED_CATEGORIES and not 0xD800 <= code <= 0xDFFF and char not in kept:
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    ranges.append((0xF0000, sys.maxunicode))

    def shown(code: int) -> str:
        return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)

    return "".join(shown(a) if a == b else f"{shown(a)}-{shown(b)}" for a, b in ranges)


def name_pattern(allow_newlines: bool = False) -> str:
    """The JSON Schema pattern of a name (or, with ``allow_newlines``, a text): no refused character, and at
    least one character that draws something."""
    refused = _refused_ranges(allow_newlines)
    return f"^[^{refused}]*[^{refused}\\s{INVISIBLE}][^{refused}]*$"


def _check_plain(allow_newlines: bool) -> AfterValidator:
    kept = "\t\n\r" if allow_newlines else ""

    def check(value: str) -> str:
        if not value.strip(" \t\n\r\f\v\u3000" + INVISIBLE) or not value.strip():
            raise ValueError("must not be blank")
        for char in value:
            if unicodedata.category(char) in _REFUSED_CATEGORIES and char not in kept:
                raise ValueError(
                    f"must not contain control, format or separator characters (U+{ord(char):04X}; line breaks, "
                    "NUL, bidi controls)"
                )
        return value

    return AfterValidator(check)


class _PlainSchema:
    """Writes the name pattern into the JSON Schema only: validation gives its own plain messages."""

    def __init__(self, allow_newlines: bool) -> None:
        self.allow_newlines = allow_newlines

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        schema: dict[str, Any] = handler(core_schema)
        schema["pattern"] = name_pattern(self.allow_newlines)
        return schema


def plain_text(max_length: int, allow_newlines: bool = False) -> Any:
    """A name or a text: not blank, at most ``max_length`` characters, no control or format characters."""
    return Annotated[
        str,
        Field(min_length=1, max_length=max_length),
        _check_plain(allow_newlines),
        _PlainSchema(allow_newlines),
    ]


Name50 = Annotated[str, Field(min_length=1, max_length=50), _check_plain(False), _PlainSchema(False)]
Name80 = Annotated[str, Field(min_length=1, max_length=80), _check_plain(False), _PlainSchema(False)]
Name100 = Annotated[str, Field(min_length=1, max_length=100), _check_plain(False), _PlainSchema(False)]
Note500 = Annotated[str, Field(min_length=1, max_length=500), _check_plain(True), _PlainSchema(True)]


# --- numbers ----------------------------------------------------------------------------------------------------


def _decimals_of(value: Any) -> int:
    exponent = Decimal(str(value)).as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _at_most_decimals(places: int) -> Any:
    def check(value: Any) -> Any:
        if _decimals_of(value) > places:
            raise ValueError(f"at most {places} decimals (got {value})")
        return value

    return AfterValidator(check)


_ASCII_DECIMAL = re.compile(r"^[0-9]+(\.[0-9]+)?$", re.ASCII)
MONEY_TEXT_PATTERN: Final = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"


def _money_input(value: Any) -> Any:
    """Money is a JSON number or a plain ASCII decimal text; never a boolean, ``1_000`` or ``１２``."""
    if isinstance(value, bool):
        raise ValueError(f"must be an amount in yuan (got {str(value).lower()})")
    if isinstance(value, str):
        if not _ASCII_DECIMAL.match(value):
            raise ValueError(f"must be an amount in yuan such as 2000.50, in ASCII digits (got {value!r})")
        try:
            return Decimal(value)
        except InvalidOperation as exc:  # pragma: no cover - the pattern admits only valid decimals
            raise ValueError(f"must be an amount in yuan (got {value!r})") from exc
    if isinstance(value, float | int | Decimal):
        return Decimal(str(value))
    raise ValueError(f"must be an amount in yuan (got {type(value).__name__})")


def _not_a_number(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("must be a date such as 2026-12-20, not a number")
    return value


MONEY_SCHEMA: Final[dict[str, Any]] = {
    "anyOf": [
        {"type": "number", "minimum": 0, "maximum": int(MONEY_MAX), "multipleOf": 0.01},
        {"type": "string", "pattern": MONEY_TEXT_PATTERN},
    ]
}
Money = Annotated[
    Decimal,
    BeforeValidator(_money_input),
    Field(ge=0, le=MONEY_MAX, decimal_places=2, allow_inf_nan=False),
    WithJsonSchema(MONEY_SCHEMA),
]
CalendarDate = Annotated[dt.date, BeforeValidator(_not_a_number)]


def annotation(field: FieldDef) -> Any:
    """The pydantic annotation of one declared field (optional: ``None`` means not reported)."""
    match field.kind:
        case "count":
            low = int(field.min) if field.min is not None else 0
            high = int(field.max) if field.max is not None else COUNT_MAX
            return Annotated[int, Field(ge=low, le=high, strict=True)]
        case "flag":
            return Annotated[bool, Field(strict=True)]
        case "share":
            low_share = float(field.min) if field.min is not None else 0.0
            high_share = float(field.max) if field.max is not None else 100.0
            return Annotated[float, Field(ge=low_share, le=high_share, strict=True, allow_inf_nan=False)]
        case "money":
            return Money
        case "number":
            places = field.decimals if field.decimals is not None else 2
            constraints: dict[str, Any] = {"strict": True, "allow_inf_nan": False}
            if field.min is not None:
                constraints["ge"] = float(field.min)
            if field.max is not None:
                constraints["le"] = float(field.max)
            step: dict[str, Any] = {"multipleOf": float(Decimal(1).scaleb(-places))}
            return Annotated[float, Field(**constraints, json_schema_extra=step), _at_most_decimals(places)]
        case "date":
            return CalendarDate
        case "text":
            return plain_text(field.max_length or TEXT_MAX, allow_newlines=True)
        case "choice":
            return Literal[tuple(choice.id for choice in field.choices)]
    raise AssertionError(field.kind)  # pragma: no cover - FieldDef admits only KINDS


def fact_value(kind: str, value: Any) -> Any:
    """A validated value as the engine sees it, or ``None`` when the kind is never a fact (text, date).

    Yes/no stay JSON booleans and counts integers; shares, money and numbers become floats (durable-rules
    compares a string with a number as text and treats ``true`` as 1, so no number reaches it as a string)."""
    fact_kind = FACT_KINDS.get(kind)
    if fact_kind is None:
        return None
    if fact_kind == "number":
        return float(value)
    return value

from __future__ import annotations

import pytest

from appraisal.rubric import expr


def test_precedence_and_bare_flags() -> None:
    node = expr.parse("leadership.leader_in_charge and leadership.working_meetings >= 4 or not safeguard.transport")
    assert isinstance(node, expr.Or)
    assert str(node) == (
        "leadership.leader_in_charge == true and leadership.working_meetings >= 4 or not (safeguard.transport == true)"
    )


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("a.x >= 2", {"a.x": 2}, True),
        ("a.x >= 2", {"a.x": 1}, False),
        ("a.x > 1.5 and a.y", {"a.x": 2, "a.y": True}, True),
        ("not (a.x < 3 or a.y)", {"a.x": 3, "a.y": False}, True),
        ("a.y == false", {"a.y": False}, True),
        ("a.x != 0", {"a.x": 0}, False),
        ("a.x >= 1", {}, False),
        ("not a.y", {}, False),  # unknown is never met, negated or not
        ("not (a.x >= 1)", {}, False),
    ],
)
def test_evaluate(text: str, values: dict[str, object], expected: bool) -> None:
    assert expr.evaluate(expr.parse(text), values) is expected


def test_nnf_pushes_not_into_comparisons() -> None:
    node = expr.nnf(expr.parse("not (a.x >= 2 and not a.y)"))
    assert str(node) == "a.x < 2 or a.y == true"


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("", "empty condition", 0),
        ("leadership.x >=", "the condition ends too early", 15),
        ("leadership.x >= 'a'", 'unexpected character "\'"', 16),
        ("__import__('os').system('x')", 'unexpected character "\'"', 11),
        ("open.x(1)", "unexpected '('", 6),
        ("a.x ** 2", "unexpected character '*'", 4),
        ("1 >= a.x", "expected a value such as leadership.leader_in_charge, got '1'", 0),
        ("(a.x >= 1", "missing ')'", 9),
        ("a.x >= 1 a.y", "unexpected 'a.y'", 9),
        ("a.x >= b.y", "expected a number, true, false or a \"choice\" after >=, got 'b.y'", 7),
        ("a.b.c", "a value is written section.field, got 'a.b.c'", 0),
        ("and a.x", "expected a value such as leadership.leader_in_charge, got 'and'", 0),
    ],
)
def test_syntax_errors_carry_the_column(text: str, message: str, column: int) -> None:
    with pytest.raises(expr.ExprError) as caught:
        expr.parse(text)
    assert (caught.value.message, caught.value.column) == (message, column)


def test_one_section_compiles_to_one_pattern() -> None:
    rules = expr.compile_rules(expr.parse("a.x >= 1 and (a.y or a.z < 2)"))
    assert rules == [
        {
            "all": [
                {
                    "m0": {
                        "$and": [
                            {"t": "a"},
                            {"$and": [{"$gte": {"x": 1}}, {"$or": [{"y": True}, {"$lt": {"z": 2}}]}]},
                        ]
                    }
                }
            ]
        }
    ]


def test_sections_joined_by_and_become_a_join() -> None:
    rules = expr.compile_rules(expr.parse("b.y and a.x >= 1 and a.z"))
    assert rules == [
        {
            "all": [
                {"m0": {"$and": [{"t": "a"}, {"$and": [{"$gte": {"x": 1}}, {"z": True}]}]}},
                {"m1": {"$and": [{"t": "b"}, {"y": True}]}},
            ]
        }
    ]


def test_or_across_sections_becomes_one_rule_per_term() -> None:
    rules = expr.compile_rules(expr.parse("(a.x >= 1 or b.y) and c.z"))
    assert [[next(iter(p.values()))["$and"][0]["t"] for p in r["all"]] for r in rules] == [
        ["a", "c"],
        ["b", "c"],
    ]


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("a.x = 1", "unexpected '=': write '=='", 4),
        ("a.x => 1", "unexpected '=>': write '>='", 4),
        ("a.x =< 1", "unexpected '=<': write '<='", 4),
        ("a.x <> 1", "unexpected '<>': write '!='", 4),
        ("a.x >= 1 && a.y", "unexpected '&&': write 'and'", 9),
        ("a.x >= 1 || a.y", "unexpected '||': write 'or'", 9),
        ("!a.y", "unexpected '!': write 'not'", 0),
        ("a.x >= 1234567890123456", "the number 1234567890123456... has 16 digits; at most 15 are kept exactly", 7),
    ],
)
def test_other_languages_operators_and_long_numbers_get_a_hint(text: str, message: str, column: int) -> None:
    with pytest.raises(expr.ExprError) as caught:
        expr.parse(text)
    assert (caught.value.message, caught.value.column) == (message, column)


def test_alternatives_are_counted_without_expanding() -> None:
    assert expr.alternatives(expr.parse("a.x >= 1 and (a.y or b.z) and (b.w or c.v or c.u)")) == 6
    assert expr.alternatives(expr.parse("not (a.x >= 1 and a.y)")) == 2  # not pushed in: an or
    six = " and ".join(f"(a.x >= {i} or b.y)" for i in range(6))
    assert len(expr.compile_rules(expr.parse(six))) == 64
    with pytest.raises(expr.ExprError, match="the condition has 128 alternatives"):
        expr.parse(six + " and (a.z or b.z)")


def test_literals_print_in_positional_notation() -> None:
    assert str(expr.parse("a.x >= 0.00001")) == "a.x >= 0.00001"
    assert str(expr.parse("a.x < 123456789012345")) == "a.x < 123456789012345"

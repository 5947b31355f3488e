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

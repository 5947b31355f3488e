"""What changed between two years' folders: two Rubrics in, a list of changes out, in words policy staff read.

Compared: the manifest (base, bonus cap, grades, commendation), the org types, the indicators (fields added,
removed or changed: kind, org types, bounds, labels; derived values) and the items and vetoes (points per org
type, how points are earned, conditions, org types, requirements). A field or item is matched by its id, so a
renamed field shows as one removed and one added.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, Literal

from ..submission import FieldDef, Indicators
from .models import Item, Rubric, Veto

What = Literal["manifest", "org_type", "indicator", "derived", "item", "veto"]
How = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class Change:
    """One difference: what (an indicator, an item...), its id, how it changed, and the details in words."""

    what: What
    id: str
    how: How
    details: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"{self.what.replace('_', ' ')} {self.id} {self.how}"
        return head + "".join(f"\n    {d}" for d in self.details)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _num(value: Decimal | float | None) -> str:
    return "—" if value is None else f"{Decimal(str(value)).normalize():f}"


def _pairs(old: dict[str, Any], new: dict[str, Any], name: str) -> list[str]:
    prefix = f"{name} " if name else ""
    return [
        f"{prefix}{key}: {_text(old.get(key))} -> {_text(new.get(key))}"
        for key in dict.fromkeys([*old, *new])
        if old.get(key) != new.get(key)
    ]


def _text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
        return _num(value)
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value)) or "none"
    return str(value)


def _manifest(old: Rubric, new: Rubric) -> list[Change]:
    a, b = old.manifest, new.manifest
    details = []
    for name in ("year", "version", "base", "bonus_cap", "grade_on"):
        if getattr(a, name) != getattr(b, name):
            details.append(f"{name.replace('_', ' ')}: {_text(getattr(a, name))} -> {_text(getattr(b, name))}")
    details += _pairs(dict(old.grade_bounds()), dict(new.grade_bounds()), "grade bound of")
    if a.groups != b.groups:
        details.append(f"groups: {_groups(a)} -> {_groups(b)}")
    if a.commendation != b.commendation:
        details += _pairs(a.commendation.model_dump(), b.commendation.model_dump(), "commendation")
    return [Change("manifest", b.id, "changed", details)] if details else []


def _groups(manifest: Any) -> str:
    return ", ".join(g.id + (f" {_num(g.weight)}" if g.weight is not None else "") for g in manifest.groups)


def _org_types(old: Indicators, new: Indicators) -> list[Change]:
    before = {t.id: t for t in old.org_types}
    after = {t.id: t for t in new.org_types}
    changes = [Change("org_type", i, "removed", [before[i].en]) for i in before if i not in after]
    changes += [Change("org_type", i, "added", [after[i].en]) for i in after if i not in before]
    for i in before.keys() & after.keys():
        if before[i] != after[i]:
            changes.append(Change("org_type", i, "changed", _pairs(before[i].model_dump(), after[i].model_dump(), "")))
    return sorted(changes, key=lambda c: c.id)


def _field_words(f: FieldDef) -> list[str]:
    types = ", ".join(f.org_types) if f.org_types else "all org types"
    return [f"{f.en} ({f.zh}); {f.kind}, reported by {types}"]


def _indicators(old: Indicators, new: Indicators) -> list[Change]:
    before = {f"{s.id}.{f.id}": f for s in old.sections for f in s.fields}
    after = {f"{s.id}.{f.id}": f for s in new.sections for f in s.fields}
    changes = [Change("indicator", p, "removed", _field_words(f)) for p, f in before.items() if p not in after]
    changes += [Change("indicator", p, "added", _field_words(f)) for p, f in after.items() if p not in before]
    for path in before.keys() & after.keys():
        a, b = before[path].model_dump(), after[path].model_dump()
        if a != b:
            changes.append(Change("indicator", path, "changed", _pairs(a, b, "")))
    derived_before = {d.id: d for d in old.derived}
    derived_after = {d.id: d for d in new.derived}
    for path in dict.fromkeys([*derived_before, *derived_after]):
        a_, b_ = derived_before.get(path), derived_after.get(path)
        if a_ is None and b_ is not None:
            changes.append(Change("derived", path, "added", [b_.describe()[0]]))
        elif b_ is None and a_ is not None:
            changes.append(Change("derived", path, "removed", [a_.describe()[0]]))
        elif a_ != b_ and a_ is not None and b_ is not None:
            changes.append(Change("derived", path, "changed", [f"{a_.describe()[0]} -> {b_.describe()[0]}"]))
    return sorted(changes, key=lambda c: (c.what, c.id))


def _maxima(item: Item, org_types: tuple[str, ...]) -> dict[str, Decimal | None]:
    return {org: item.max_for(org) for org in org_types}


def _points(old: dict[str, Decimal | None], new: dict[str, Decimal | None]) -> list[str]:
    """Changes of an item's maximum, in one line when every org type changed alike."""
    changed = [org for org in old if old[org] != new.get(org)]
    if len(changed) == len(old) > 1 and len({(old[o], new[o]) for o in changed}) == 1:
        org = changed[0]
        return [f"points: {_text(old[org])} -> {_text(new[org])} for every org type"]
    return _pairs({o: old[o] for o in changed}, {o: new.get(o) for o in changed}, "points for")


def _earning(item: Item) -> dict[str, Any]:
    """How the item earns points, as plain values to compare."""
    found: dict[str, Any] = {"when": item.when, "requires": list(item.requires) or None, "group": item.group}
    found["applies when"] = item.applies_when
    for index, tier in enumerate(item.tiers or (), start=1):
        amount = f"{_num(tier.points)} points" if tier.points is not None else f"{_num(tier.share)} of the maximum"
        found[f"tier {index}"] = f"{tier.when} -> {amount}"
    for way in ("per_occurrence", "deduct", "shortfall", "deduction", "floor"):
        value = getattr(item, way)
        if value is not None:
            # keys at their defaults are not shown, so a key added to the format changes no diff
            shown = {k: v for k, v in value.model_dump().items() if v is not None and (k, v) != ("rounding", "started")}
            found[way.replace("_", " ")] = ", ".join(f"{k} {_text(v)}" for k, v in shown.items())
    for level, award in (item.awards or {}).items():
        found[f"award {level}"] = f"value {award.value}, points {_num(award.points)}"
    return found


def _items(old: Rubric, new: Rubric) -> list[Change]:
    org_types = tuple(dict.fromkeys([*old.indicators.org_type_ids, *new.indicators.org_type_ids]))
    before = {i.id: i for i in old.items}
    after = {i.id: i for i in new.items}

    def words(item: Item) -> list[str]:
        points = ", ".join(f"{org} {_num(m)}" for org, m in _maxima(item, org_types).items() if m is not None)
        condition = f"; applies when {item.applies_when}" if item.applies_when else ""
        return [f"{item.title.en} ({item.title.zh}); {points}{condition}"]

    changes = [Change("item", i, "removed", words(before[i])) for i in before if i not in after]
    changes += [Change("item", i, "added", words(after[i])) for i in after if i not in before]
    for item_id in before.keys() & after.keys():
        a, b = before[item_id], after[item_id]
        details = _points(_maxima(a, org_types), _maxima(b, org_types))
        details += _pairs(_earning(a), _earning(b), "")
        if a.title != b.title:
            details.append(f"title: {a.title.en} -> {b.title.en}")
        if details:
            changes.append(Change("item", item_id, "changed", details))
    return sorted(changes, key=lambda c: c.id)


def _vetoes(old: Rubric, new: Rubric) -> list[Change]:
    before = {v.id: v for v in old.vetoes}
    after = {v.id: v for v in new.vetoes}

    def words(veto: Veto) -> dict[str, Any]:
        return {"when": veto.when, "applies to": list(veto.applies_to or ["all org types"]), "title": veto.title.en}

    changes = [Change("veto", i, "removed", [before[i].title.en]) for i in before if i not in after]
    changes += [Change("veto", i, "added", [after[i].title.en]) for i in after if i not in before]
    for veto_id in before.keys() & after.keys():
        details = _pairs(words(before[veto_id]), words(after[veto_id]), "")
        if details:
            changes.append(Change("veto", veto_id, "changed", details))
    return sorted(changes, key=lambda c: c.id)


def diff(old: Rubric, new: Rubric) -> list[Change]:
    """Every change from ``old`` to ``new``: manifest, org types, indicators, derived values, items, vetoes."""
    return [
        *_manifest(old, new),
        *_org_types(old.indicators, new.indicators),
        *_indicators(old.indicators, new.indicators),
        *_items(old, new),
        *_vetoes(old, new),
    ]


def diff_text(old: Rubric, new: Rubric) -> str:
    """The changes as text, one block per change, with counts first."""
    changes = diff(old, new)
    head = (
        f"{old.id} {old.manifest.version} ({old.year}) -> {new.id} {new.manifest.version} ({new.year}): "
        f"{len(changes)} changes"
    )
    return "\n".join([head, *(str(c) for c in changes)]) + "\n"

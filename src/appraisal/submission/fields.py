"""The field vocabulary of a yearly submission: value types and the ``field`` helper.

Every field carries an English description and a Chinese label (``label_zh`` in the JSON Schema), and may
name the org types it applies to (``org_types``); a field left out of a type's model is absent for that
type, never zero.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Final, Literal, get_args

from pydantic import Field

OrgType = Literal["county", "township", "village", "community", "agency", "enterprise"]
ORG_TYPES: Final[tuple[str, ...]] = get_args(OrgType)

ORG_TYPE_LABELS: Final[dict[str, tuple[str, str]]] = {
    "county": ("county women's federation", "县妇联"),
    "township": ("township women's federation", "乡镇妇联"),
    "village": ("village women's congress", "村妇代会"),
    "community": ("street or community women's federation", "街道（社区）妇联"),
    "agency": ("women's committee of a government agency or institution", "机关事业单位妇委会"),
    "enterprise": ("women's organization in a non-public enterprise", "非公企业妇女组织"),
}

# Counts are whole numbers >= 0; strict, so that true or "3" is an error rather than a silent 1 or 3.
Count = Annotated[int, Field(ge=0, le=10_000_000, strict=True)]
Flag = Annotated[bool, Field(strict=True)]
# A share in percent, 0-100.
Share = Annotated[float, Field(ge=0, le=100, strict=True, allow_inf_nan=False)]
# Money in yuan, two decimals at most.
Money = Annotated[Decimal, Field(ge=0, le=Decimal("1e12"), decimal_places=2, allow_inf_nan=False)]

ALL_TYPES: Final[tuple[str, ...]] = ORG_TYPES
RURAL: Final[tuple[str, ...]] = ("county", "township", "village")
WITH_SUBORDINATES: Final[tuple[str, ...]] = ("county", "township", "community")
GRASSROOTS_OVERSEERS: Final[tuple[str, ...]] = ("county", "township")


def field(description: str, label_zh: str, *, types: tuple[str, ...] = ALL_TYPES, **kwargs: Any) -> Any:
    """A submission field: optional (``None`` = not reported, so the items using it are not evaluated)."""
    extra: dict[str, Any] = {"label_zh": label_zh}
    if types != ALL_TYPES:
        extra["org_types"] = list(types)
    return Field(default=None, description=description, json_schema_extra=extra, **kwargs)

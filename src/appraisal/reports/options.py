"""Report options: who issues the reports, when, and the rectification deadlines.

In: keyword arguments, or a ``--config`` file (TOML, JSON or YAML). Out: a frozen ``ReportOptions``; a bad
file or value raises ``ReportError`` naming the file and the field.
"""

from __future__ import annotations

import base64
import datetime as dt
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .._yaml import ParseError, parse_text, validation_messages
from ..errors import ReportError

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")
Kind = Literal["auto", "commendation", "feedback", "improvement"]
KINDS: tuple[str, ...] = get_args(Kind)
# --format: which files each report is written as (pdf, docx: an editable copy, or both)
FORMATS: dict[str, tuple[str, ...]] = {"pdf": ("pdf",), "docx": ("docx",), "both": ("pdf", "docx")}

# A name shown on every report; the scorecard caps unit names, these are capped here.
BodyName = Annotated[str, Field(min_length=1, max_length=120)]


class ReportOptions(BaseModel):
    """What the reports need beyond the scorecard.

    ``issuing_body`` is one name for every language, or one per language (``{"en": ..., "zh": ...}``); left
    out, the catalogue's generic "Appraisal committee" is used. ``issue_date`` defaults to the scorecard's
    appraisal date (so re-renders give the same bytes). The rectification deadline is ``deadline_days`` after
    the appraisal date and the re-check ``recheck_days`` after it (default: two weeks after the deadline).
    ``lang`` is the language when the caller names none. ``certificates``: a commended unit's own report is a
    certificate page (the run's one decision names them all); without, it gets the feedback letter.
    ``document_number`` (``金妇字〔2026〕3号``) heads the Chinese official documents; ``seal`` is a PNG image
    printed over the issuer's name on them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    issuing_body: BodyName | dict[Lang, BodyName] | None = None
    issue_date: dt.date | None = None
    deadline_days: int = Field(default=90, ge=1, le=3650)
    recheck_days: int | None = Field(default=None, ge=1, le=3650)
    lang: Lang = "en"
    certificates: bool = True
    document_number: Annotated[str, Field(min_length=1, max_length=60)] | None = None
    seal: Path | None = None

    @model_validator(mode="after")
    def _recheck_after_deadline(self) -> ReportOptions:
        if self.recheck_days is not None and self.recheck_days < self.deadline_days:
            raise ValueError(
                f"recheck_days ({self.recheck_days}) comes before the deadline (deadline_days {self.deadline_days})"
            )
        return self

    @field_validator("seal")
    @classmethod
    def _seal_is_png(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        try:
            with value.open("rb") as file:
                head = file.read(8)
        except OSError as exc:
            raise ValueError(f"cannot read the seal image {value}: {exc.strerror or exc}") from exc
        if head != b"\x89PNG\r\n\x1a\n":
            raise ValueError(f"the seal image {value} is not a PNG file")
        return value

    def seal_url(self) -> str | None:
        """The seal as a ``data:`` URL (the report fetcher fetches nothing else outside the templates)."""
        if self.seal is None:
            return None
        try:
            data = self.seal.read_bytes()
        except OSError as exc:
            raise ReportError(f"{self.seal}: cannot read the seal image: {exc.strerror or exc}") from exc
        return "data:image/png;base64," + base64.b64encode(data).decode("ascii")

    def body(self, lang: str) -> str | None:
        """The issuing body's name in ``lang``, or ``None`` for the catalogue's default."""
        if isinstance(self.issuing_body, dict):
            names = {str(key): name for key, name in self.issuing_body.items()}
            return names.get(lang) or names.get("en") or next(iter(names.values()))
        return self.issuing_body

    def deadline(self, appraisal_date: dt.date) -> dt.date:
        return appraisal_date + dt.timedelta(days=self.deadline_days)

    def recheck(self, appraisal_date: dt.date) -> dt.date:
        days = self.recheck_days if self.recheck_days is not None else self.deadline_days + 14
        return appraisal_date + dt.timedelta(days=days)


def load_options(path: str | Path) -> ReportOptions:
    """``ReportOptions`` from a TOML, JSON or YAML file (a mapping of the fields, or a ``[reports]`` table)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"{file}: cannot read the report options: {exc}") from exc
    try:
        data: Any
        if file.suffix == ".toml":
            data = tomllib.loads(text)
        elif file.suffix in (".json", ".yaml", ".yml"):
            data = parse_text(text, file.suffix)  # as submissions are read: the line, in one line
        else:
            raise ReportError(f"{file}: report options are a .toml, .json or .yaml file")
    except tomllib.TOMLDecodeError as exc:
        raise ReportError(f"{file}: not valid TOML: {exc}") from exc
    except ParseError as exc:
        raise ReportError(f"{file}: {exc}") from exc
    if isinstance(data, dict) and isinstance(data.get("reports"), dict):
        data = data["reports"]
    if not isinstance(data, dict):
        raise ReportError(f"{file}: report options are a mapping of fields (issuing_body, deadline_days, ...)")
    if isinstance(data.get("seal"), str) and not Path(data["seal"]).is_absolute():
        data = {**data, "seal": str(file.parent / data["seal"])}  # beside the options file, not the caller
    try:
        return ReportOptions.model_validate(data)
    except ValidationError as exc:
        lines = [f"{file}: {message}" for _, message in validation_messages(ReportOptions, data, exc)]
        raise ReportError("\n".join(lines)) from exc

"""Rendering fetches nothing outside report_templates/, and submitted text stays text.

Each attack goes through the real renderer (templates, fetcher, weasyprint), and each test first shows that
what it watches would have seen the attack had it got through.
"""

from __future__ import annotations

import html.parser
import http.server
import os
import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.reports.report_pdfs import WeasyLog, attachments, quiet, text
from weasyprint.formatting_structure.boxes import TextBox

from appraisal.reports import render_report, report_html
from appraisal.reports.fetcher import ReportURLFetcher
from appraisal.reports.render import environment, html_to_document, html_to_pdf
from appraisal.resources import bundled
from appraisal.rubric.models import Rubric
from appraisal.scoring.scorecard import Scorecard

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
STYLE = "<style>*{display:none}</style>"
CSS_TEXT = "</p><p style=\"color:red;background:url('file:///etc/passwd')\">"


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def tags(markup: str) -> list[str]:
    parser = _Tags()
    parser.feed(markup)
    return parser.tags


def test_autoescape_is_on_for_every_template() -> None:
    for lang in ("en", "zh"):
        env = environment(lang)
        names = env.list_templates()
        assert {"commendation.html.j2", "improvement.html.j2", "summary.html.j2"} <= set(names)
        for name in names:
            if name.endswith(".j2"):
                assert env.from_string("{{ v }}").render(v="<b>") == "&lt;b&gt;"
                assert env.get_template(name).environment.autoescape is True


def test_hostile_text_appears_literally(cards: dict[str, Scorecard], rubric: Rubric) -> None:
    card = cards["village-12"].model_copy(
        update={
            "name": f"{SCRIPT}{BREAKOUT}{STYLE}",
            "responsible_person": CSS_TEXT,
            "veto_reasons": ["Unknown: <link rel=attachment href=file:///etc/passwd>"],
        }
    )
    markup = report_html(card, rubric=rubric)
    # the only elements are the templates' own: one image (the chart), no script, style or link
    assert tags(markup).count("img") == 1
    assert not {"script", "style", "link"} & set(tags(markup))
    pdf = quiet(render_report, card, rubric=rubric)
    body = text(pdf)
    for hostile in (SCRIPT, BREAKOUT, STYLE, CSS_TEXT, "<link rel=attachment href=file:///etc/passwd>"):
        assert hostile in body
    assert list(attachments(pdf)) == ["scorecard.json"]


def test_a_file_attachment_outside_the_templates_is_refused(weasy_log: WeasyLog) -> None:
    passwd = Path("/etc/passwd")
    assert passwd.is_file()
    inside = bundled("report_templates") / "reports.css"
    escape = inside.parent.as_uri() + "/fonts/../../../../../../../etc/passwd"
    page = (
        "<html><head>"
        f'<link rel="attachment" href="{passwd.as_uri()}">'
        f'<link rel="attachment" href="{escape}">'
        f'<link rel="attachment" href="{inside.as_uri()}">'
        "</head><body><p>x</p></body></html>"
    )
    files = attachments(html_to_pdf(page))
    # the file under report_templates/ is allowed, so the attachment mechanism did work
    assert list(files) == ["reports.css"]
    assert files["reports.css"] == [inside.read_bytes()]
    assert len(weasy_log.take("refused 'file:///etc/passwd'|refused '.*etc/passwd'")) == 2


def test_symlinks_and_dot_dot_cannot_leave_the_root(tmp_path: Path) -> None:
    root = tmp_path / "templates"
    root.mkdir()
    (root / "ok.css").write_text("p {}")
    (tmp_path / "secret.txt").write_text("secret")
    os.symlink(tmp_path / "secret.txt", root / "link.css")
    fetcher = ReportURLFetcher(root)
    assert fetcher.fetch((root / "ok.css").as_uri()).read() == b"p {}"
    for url in (
        (root / "link.css").as_uri(),
        root.as_uri() + "/../secret.txt",
        (tmp_path / "secret.txt").as_uri(),
        "file://otherhost" + (root / "ok.css").as_posix(),
        "http://127.0.0.1:9/ok.css",
        "ftp://127.0.0.1/ok.css",
    ):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


class _Recorder(http.server.BaseHTTPRequestHandler):
    paths: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        _Recorder.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that records every request it receives."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Recorder.paths = []
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", _Recorder.paths
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_no_request_leaves_the_renderer(server: tuple[str, list[str]], weasy_log: WeasyLog) -> None:
    import urllib.request

    base, paths = server
    with urllib.request.urlopen(f"{base}/probe", timeout=5) as response:  # the server does record requests
        assert response.status == 200
    assert paths == ["/probe"]
    paths.clear()
    page = (
        "<html><head>"
        f'<link rel="stylesheet" href="{base}/style.css">'
        f'<link rel="attachment" href="{base}/attach.bin">'
        f"<style>@import url({base}/import.css); body {{ background: url({base}/bg.png) }}</style>"
        "</head><body>"
        f'<img src="{base}/img.png"><img src="//127.0.0.1:{base.rsplit(":", 1)[1]}/scheme-relative.png">'
        "</body></html>"
    )
    html_to_pdf(page)
    assert paths == []
    assert len(weasy_log.take("refused 'http://127.0.0.1")) >= 5
    weasy_log.take("Failed to load|Unsupported stylesheet|Relative URI")


def test_bidi_controls_are_removed(cards: dict[str, Scorecard], rubric: Rubric) -> None:
    controls = "\u202e\u202d\u202a\u202b\u202c\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    card = cards["town-07"].model_copy(
        update={"name": f"Lake\u202eDOOG\u202c County{controls}", "responsible_person": "\u2067Li\u2069 Na"}
    )
    markup = report_html(card, rubric=rubric)
    assert not any(ch in markup for ch in controls)
    body = text(quiet(render_report, card, rubric=rubric))
    assert "LakeDOOG County" in body and "Li Na" in body
    assert not any(
        unicodedata.bidirectional(ch) in {"RLO", "LRO", "RLE", "LRE", "PDF", "RLI", "LRI", "FSI", "PDI"} for ch in body
    )


def _overflow(markup: str) -> list[str]:
    """Text boxes whose right edge passes the right edge of their page's content area."""
    found = []
    for page in html_to_document(markup).pages:
        box = page._page_box
        right = box.content_box_x() + box.width
        for child in box.descendants():
            if isinstance(child, TextBox) and child.position_x + child.margin_width() > right + 0.5:
                found.append(child.text[:20])
    return found


def test_long_unbreakable_text_wraps_inside_the_page(cards: dict[str, Scorecard], rubric: Rubric) -> None:
    # the submission model caps names at 100 characters; a scorecard file does not, so test well past it
    long_name = "W" * 300
    card = cards["village-12"].model_copy(update={"name": long_name, "responsible_person": "长" * 200 + "X" * 200})
    for lang in ("en", "zh"):
        assert _overflow(report_html(card, lang=lang, rubric=rubric)) == []
    # the check does see text leaving the page when wrapping is turned off
    unwrapped = report_html(card, rubric=rubric).replace("<html", '<html style="overflow-wrap: normal"', 1)
    assert _overflow(unwrapped)


def test_presentational_hints_are_off(weasy_log: WeasyLog) -> None:
    document = html_to_document('<p><font size="7">big</font></p><table width="2000"><tr><td>x</td></tr></table>')
    box = next(b for b in document.pages[0]._page_box.descendants() if isinstance(b, TextBox) and b.text == "big")
    assert box.style["font_size"] == pytest.approx(10 * 4 / 3)  # 10pt from reports.css, not size 7 (48px)

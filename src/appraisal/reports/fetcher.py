"""The only way rendering reaches outside the HTML: a weasyprint URL fetcher that fetches almost nothing.

In: a URL weasyprint wants (a font, a stylesheet, an image, an attachment). Out: its bytes when it is a
``data:`` URL or a file under ``report_templates/`` (after resolving ``..`` and symlinks); anything else is
refused with ``ValueError``, which weasyprint logs and skips. So ``file:///etc/passwd`` is never embedded
and no request ever leaves the machine, whatever text reaches a template.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import URLFetcher
from weasyprint.urls import URLFetcherResponse


class ReportURLFetcher(URLFetcher):  # type: ignore[misc]  # weasyprint is untyped
    """Fetches ``data:`` URLs and the files under ``root``; refuses every other URL."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False, timeout=1)
        self.root = root.resolve()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme, _, _ = url.partition(":")
        if scheme.lower() == "data":
            # urllib's data: handler only, as the protocol list allows nothing else.
            return super().fetch(url, headers)
        if scheme.lower() == "file":
            path = self.local_path(url)
            if path is not None:
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})
        raise ValueError(f"refused {url[:200]!r}: reports use only data: URLs and files of report_templates/")

    def local_path(self, url: str) -> Path | None:
        """The file ``url`` names when it lies under the root (symlinks and ``..`` resolved), else ``None``."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        path = Path(url2pathname(parts.path)).resolve()
        if path.is_relative_to(self.root) and path.is_file():
            return path
        return None

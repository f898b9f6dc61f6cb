"""Content-Security-Policy helpers: hashes that allow exactly the inline scripts we wrote."""

from __future__ import annotations

import base64
import hashlib
import re

INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def script_hash(code: str) -> str:
    """The CSP source (``'sha256-…'``) allowing one inline script with exactly this text."""
    digest = hashlib.sha256(code.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def inline_script_hashes(html: str) -> list[str]:
    """Hash sources for every ``<script>`` element without attributes in ``html``."""
    return [script_hash(code) for code in INLINE_SCRIPT.findall(html)]

"""Text as the review pages show it: students' Markdown (hostile: raw HTML escaped)."""
from __future__ import annotations

import mistune
from markupsafe import Markup

# The pages' policy: this server's own script and style only, nothing framed, posted or fetched elsewhere.
CSP = ("default-src 'none'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
_markdown = mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])


def render_markdown(text: str) -> Markup:
    return Markup(_markdown(text or ""))

"""User text shown as text, never as markup (product.md «Reliability and security»: no live links or images from
user text). Owner names, page and stream titles, post texts, file names and links come from files people upload;
Streamlit renders Markdown (with its own extensions: `:red[…]`, `:material/…:`, `$…$`) in st.markdown,
st.caption, st.subheader, alerts, metric labels and help tooltips, and Plotly renders a subset of HTML (`<a href>`,
`<b>`, `<br>`) in labels and hover texts. One helper per renderer, used wherever such text is shown:

- `plain(text)` — for anything Streamlit renders as Markdown: every character Markdown, GFM or Streamlit's
  extensions could read as syntax is backslash-escaped, so `[x](https://evil)` and `![](http://host/img)` stay
  literal text and `<b>` is shown as typed; bare `https://…`, `www.…` and e-mail addresses, which GFM links in the
  parsed text itself, get an invisible word joiner that keeps them from being linked;
- `chart_text(text)` — for Plotly labels and hover texts: `<`, `>` and `&` as HTML entities (Plotly shows the
  characters, makes no tag of them);
- `web_link(text)` — the only links kept and shown are http(s): anything else (`javascript:`, `data:`, `file:`)
  is None.
"""
from __future__ import annotations

import html
import re

import polars as pl

# ASCII punctuation CommonMark allows to escape, minus none: escaping every one is always safe (an escaped
# character is shown as itself). `:` stops autolinks (https:) and Streamlit's `:color[…]`/`:material/…:`/emoji
# shortcodes, `.` stops `www.` autolinks and `1.` lists, `$` stops LaTeX, `|` tables, `~` strikethrough.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&\"'=^@%/?,;])")
# Streamlit's Markdown (remark-gfm) finds bare links, «www.» and e-mail addresses in the *parsed text*, after
# escapes are resolved, and so do its `:material/…:` icons and `:emoji:` shortcodes: an invisible WORD JOINER
# (U+2060) where those patterns begin breaks them without changing what the reader sees.
WORD_JOINER = "\u2060"
_TEXT_PATTERNS = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=ftp)(?=:)|(?<=mailto)(?=:)|(?<=www)(?=\.)"
                            r"|(?<=@)|(?<=:)(?=[a-z])")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")
_WEB = re.compile(r"^https?://[^\s/?#]+", re.IGNORECASE)


def plain(text: object) -> str:
    """A user's text for a Markdown renderer (st.markdown, st.caption, st.subheader, st.info/…, metric labels and
    help): shown exactly as typed, with no link, image, HTML, heading, list or colour made of it. Line breaks
    become spaces (a name or a title is one line; a post text shown in Markdown is a quotation)."""
    if text is None:
        return ""
    value = _TEXT_PATTERNS.sub(WORD_JOINER, " ".join(str(text).split()))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", value)


def chart_text(text: object) -> str:
    """A user's text for a Plotly label, tick or hover text: Plotly's pseudo-HTML (`<a href>`, `<b>`, `<br>`,
    `<span style>`) is shown as typed."""
    if text is None:
        return ""
    return html.escape(str(text), quote=False)


def web_link(text: object) -> str | None:
    """A link that may be stored and shown as a link: http(s) with a host. A link written without a scheme
    (`vk.com/wall-1_2`) gets https://; any other scheme (`javascript:`, `data:`, `file:`, `vbscript:`) is None."""
    if text is None:
        return None
    value = str(text).strip()
    if not value or any(c.isspace() or ord(c) < 32 for c in value):
        return None
    if value.startswith("//"):
        value = "https:" + value
    elif not _SCHEME.match(value) or re.match(r"^[^/:]+\.[^/:]+:\d+(/|$)", value):
        value = "https://" + value
    return value if _WEB.match(value) else None


def web_link_expr(column: str) -> pl.Expr:
    """The same rule for a Polars column of links about to be shown (links stored before the rule was enforced):
    anything but http(s) becomes null, so no link column ever renders it."""
    return pl.when(pl.col(column).str.contains(r"(?i)^https?://[^\s/?#]+")).then(pl.col(column)).otherwise(None)

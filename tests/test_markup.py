"""No user text as markup (issue 18): owner names, titles, file names and links are escaped for Markdown and for
Plotly (core.text), and only http(s) links are stored and shown."""
import re
import shutil
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import create_engine, text

from core.text import WORD_JOINER, chart_text, plain, web_link, web_link_expr

HOSTILE = ("[x](https://evil.example/) ![](http://127.0.0.1:9/img.png) <a href=\"https://evil.example/\">ссылка</a> "
           "<b>жирный</b> https://evil.example/bare www.evil.example :red[красный] $x^2$ # заголовок")


def _unescaped(shown: str) -> list[str]:
    """Characters of `[]()<>!:` in an escaped text that are not preceded by a backslash."""
    return re.findall(r"(?<!\\)[\[\]()<>!:]", shown)


def test_plain_escapes_every_markdown_and_html_construct():
    shown = plain(HOSTILE)
    assert _unescaped(shown) == []
    # every punctuation character is escaped, every other character kept: the text reads exactly as typed
    parsed = re.sub(r"\\(.)", r"\1", shown)  # what the Markdown parser leaves as text
    assert parsed.replace(WORD_JOINER, "") == HOSTILE
    # GFM links bare addresses in the parsed text itself (remark-gfm): none may remain there
    assert not re.search(r"(?i)https?://|www\.|[\w.+-]@[\w-]+\.|:material/|:[a-z]+\[", parsed)
    assert f"https{WORD_JOINER}\\:" in shown and f"www{WORD_JOINER}\\." in shown and "\\<b\\>" in shown
    assert "\\$" in shown
    assert plain(None) == "" and plain("Департамент финансов") == "Департамент финансов"
    assert plain("строка\nвторая  строка") == "строка вторая строка"


def test_chart_text_escapes_plotly_markup():
    assert chart_text('<a href="https://evil">x</a> & <b>') == \
        '&lt;a href="https://evil"&gt;x&lt;/a&gt; &amp; &lt;b&gt;'
    assert chart_text(None) == ""


@pytest.mark.parametrize("link, kept", [
    ("https://vk.com/wall-1_2", "https://vk.com/wall-1_2"),
    ("HTTP://ok.ru/live/1", "HTTP://ok.ru/live/1"),
    ("vk.com/video-1_2", "https://vk.com/video-1_2"),
    ("//t.me/channel/5", "https://t.me/channel/5"),
    ("javascript:alert(1)", None), ("JaVaScRiPt:alert(1)", None), ("data:text/html,<b>x</b>", None),
    ("file:///etc/passwd", None), ("vbscript:msgbox", None), ("https://", None), ("https://evil .com", None),
    ("", None), (None, None)])
def test_only_http_links(link, kept):
    assert web_link(link) == kept


def test_link_column_filter_drops_other_schemes():
    frame = pl.DataFrame({"url": ["https://vk.com/x", "javascript:alert(1)", None, "http://ok.ru/y"]})
    assert frame.select(web_link_expr("url"))["url"].to_list() == ["https://vk.com/x", None, None, "http://ok.ru/y"]


def test_stream_link_with_javascript_refused_at_load():
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    from loaders.activity_template import load_template
    from loaders.errors import LoadError
    content = ("Ссылка на страницу;Начало эфира;Длительность, мин;Ссылка на запись\n"
               "https://vk.com/depfin_tomsk;10.02.2026 12:00;30;javascript:alert(document.cookie)\n").encode()
    with pytest.raises(LoadError) as error:
        load_template(content, "эфиры.csv", ZoneInfo("Asia/Tomsk"), datetime(2026, 11, 30, tzinfo=timezone.utc))
    assert "http" in str(error.value) and "javascript" in str(error.value)


def test_figures_escape_owner_names():
    from reports.figures import movement_chart, streams_matrix
    fig = movement_chart([{"owner": HOSTILE, "score_a": 10.0, "score_b": 20.0}], "I кв.", "II кв.", [])
    assert all("<a " not in str(y) and "<b>" not in str(y) for trace in fig.data for y in (trace.y or []))
    matrix = pl.DataFrame({"owner_name": [HOSTILE], "quarter": ["I кв. 2026"], "quarter_order": [1],
                           "state": ["held"], "streams": [1]})
    fig = streams_matrix(matrix)
    assert list(fig.data[0].y) == [chart_text(HOSTILE)]


# --- the app: a registry whose names carry Markdown/HTML shows them as text on every screen ---

@pytest.fixture
def hostile_db_url(demo_db_url, tmp_path):
    """The demo database with an executive body, its pages' titles and a stream link made hostile."""
    source = Path(demo_db_url.removeprefix("sqlite:///"))
    target = tmp_path / "hostile.sqlite3"
    shutil.copy(source, target)
    url = f"sqlite:///{target}"
    engine = create_engine(url)
    with engine.begin() as conn:
        body_id = conn.execute(text("SELECT id FROM owners WHERE kind = 'executive_body' ORDER BY name LIMIT 1")
                               ).scalar_one()
        conn.execute(text("UPDATE owners SET name = :name WHERE id = :id"), {"name": HOSTILE, "id": body_id})
        conn.execute(text("UPDATE pages SET title = :title WHERE owner_id = :id"), {"title": HOSTILE, "id": body_id})
        conn.execute(text("UPDATE live_streams SET url = 'javascript:alert(1)'"))
    engine.dispose()
    return url


def _bodies(at) -> list[str]:
    """Every text the app handed to a Markdown renderer on the last run."""
    texts = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "info", "warning", "success", "error"):
        texts += [element.value for element in getattr(at, kind)]
    for metric in at.metric:
        texts += [metric.label, metric.help or ""]
    return texts


@pytest.mark.parametrize("screen", ["overview", "weekly", "streams", "rating", "body_card", "registry", "upload"])
def test_hostile_names_never_reach_markdown_raw(screen, hostile_db_url, monkeypatch):
    from streamlit.testing.v1 import AppTest
    monkeypatch.setenv("GOSPABLIKI_DATABASE_URL", hostile_db_url)
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120)
    at.run()
    if screen != "overview":
        at.switch_page(f"app_pages/{screen}.py")
        at.run()
    if screen == "body_card":
        at.selectbox(key="body_card_body").select(HOSTILE).run()
    assert not at.exception, [e.value for e in at.exception]
    bodies = _bodies(at)
    for body in bodies:
        body = body.replace(plain(HOSTILE), "«имя»")  # the escaped name is what must be there, and only it
        for fragment in ("](https://evil", "![](", "<a href", "<b>", "https://evil.example/bare", ":red["):
            assert fragment not in body, (screen, body[:300])
    if screen == "body_card":
        assert any(plain(HOSTILE) in body for body in bodies), "the body's name is shown, escaped"
    for chart in at.get("plotly_chart"):
        assert "<a href" not in chart.proto.spec and "<b>жирный" not in chart.proto.spec
    if screen == "streams":
        links = [v for df in at.dataframe for v in (df.value["url"].tolist() if "url" in df.value else [])]
        assert links and not any(str(v).lower().startswith("javascript") for v in links if v is not None)

"""Role «body» (issue 18): a user bound to one executive body sees its body, head and institutions on every screen
and in its downloads, places among all; the scope is applied in services.scope and is part of every cache key."""
import io
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from scoring.rating import TABLES
from scoring.tables import to_payload
from services.scope import ALL, Scope, scope_registry, scope_tables, scope_view
from tests.app_screens import app_screens, screen_names

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PASSWORD = "пароль-органа-2026"
SCREENS = screen_names("body")  # the st.Page entries of app.py a «body» user has


@pytest.fixture(scope="module")
def demo_view(demo_db_url):
    from services.quarters import last_ended_quarter, quarter_view
    from storage.db import make_engine
    from core.calendar import local_today
    from core.config import region_tz
    engine = make_engine(demo_db_url)
    today = local_today(region_tz())
    view = quarter_view(engine, last_ended_quarter(today), today)
    engine.dispose()
    return view


def _two_bodies(view) -> tuple[str, str]:
    names = sorted(view.tables.bodies.filter(pl.col("rank").is_not_null())["owner"].to_list())
    return names[0], names[1]


def _row_body(row: dict) -> str:
    kind = row.get("kind") or row.get("owner_kind")
    if kind == "executive_body":
        return row.get("owner") or ""
    return row.get("parent_name") or row.get("parent") or ""


def _reference_scope(payload: dict, names: set[str]) -> dict:
    """How a scope was cut from the payload before the frames (the reference the frames' cut is compared with)."""
    family = {r.get("owner") for name in TABLES for r in payload.get(name) or [] if _row_body(r) in names}
    out = dict(payload)
    shown = next((r["owner"] for r in payload.get("bodies") or [] if r.get("owner") in names), None)
    rows = {name: payload.get(name) or [] for name in TABLES}
    scores = {name: [r["score"] for r in rows[name] if r.get("score") is not None] for name in TABLES}
    zones = {name: {} for name in TABLES}
    for name in TABLES:
        for r in rows[name]:
            if r.get("zone") and r.get("rank"):
                zones[name][r["zone"]] = zones[name].get(r["zone"], 0) + 1
    out["scope"] = {"ranked": {name: sum(1 for r in rows[name] if r.get("rank")) for name in TABLES},
                    "mean_score": {name: sum(scores[name]) / len(scores[name]) if scores[name] else None
                                   for name in TABLES}, "zones": zones, "body": shown}
    for name in TABLES:
        out[name] = [r for r in rows[name] if _row_body(r) in names]
    out["reference"] = []
    out["pages"] = [p for p in payload.get("pages") or [] if _row_body(p) in names]
    out["streams"] = [s for s in payload.get("streams") or [] if _row_body(s) in names]
    if "differences" in payload:
        out["differences"] = [d for d in payload["differences"] or [] if d.get("owner") in family]
    if payload.get("early_warning"):
        warning = payload["early_warning"]
        out["early_warning"] = {key: [r for r in warning.get(key) or [] if r.get("owner") in family]
                                for key in ("weekly_norm", "live_stream")}
    if payload.get("gaps"):
        out["gaps"] = {k: v for k, v in payload["gaps"].items() if k != "pages_not_rated_examples"}
    return out


@pytest.mark.parametrize("which", [0, 1, -1])
def test_scoped_frames_are_the_payloads_cut(demo_view, which):
    """services.scope cuts the frames as the payload was cut (rows, pages with their indicators and weeks,
    streams, the field's aggregates), for a body at the top, another and one at the bottom."""
    names = demo_view.tables.bodies["owner"].to_list()
    body = names[which]
    assert to_payload(scope_tables(demo_view.tables, Scope(body))) == _reference_scope(
        to_payload(demo_view.tables), {body})


def test_scoped_payload_keeps_the_family_and_the_field(demo_view):
    body, other = _two_bodies(demo_view)
    payload = to_payload(scope_tables(demo_view.tables, Scope(body)))
    assert [r["owner"] for r in payload["bodies"]] == [body]
    assert payload["heads"] and all(r["parent_name"] == body for r in payload["heads"] + payload["institutions"])
    assert payload["reference"] == []
    assert {p["owner"] for p in payload["pages"]} <= {body} | {r["owner"] for r in payload["heads"] +
                                                               payload["institutions"]}
    assert other not in repr(payload)
    ranked = demo_view.tables.bodies["rank"].drop_nulls().len()
    assert payload["scope"]["ranked"]["bodies"] == ranked and payload["bodies"][0]["rank"] <= ranked
    assert scope_tables(demo_view.tables, ALL) is demo_view.tables


def test_scoped_view_restricts_the_frames(demo_view):
    body, other = _two_bodies(demo_view)
    view = scope_view(demo_view, Scope(body))
    for frame in (view.fresh.pages, view.fresh.owners, view.fresh.streams, *view.fresh.tables.values()):
        assert other not in frame.select(pl.col(pl.String)).to_pandas().to_string()
    assert set(view.fresh.grid["page_id"].to_list()) <= set(view.fresh.pages["page_id"].to_list())
    assert view.fresh.pages.height < demo_view.fresh.pages.height


def test_scoped_workbook_has_only_the_body(demo_view):
    from core.config import region_tz
    from reports.rating_workbook import rating_workbook
    body, other = _two_bodies(demo_view)
    book = openpyxl.load_workbook(io.BytesIO(rating_workbook(scope_tables(demo_view.tables, Scope(body)),
                                                             region_tz())), read_only=True)
    cells = " ".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                     for v in row if v is not None)
    assert body in cells and other not in cells


def test_scoped_registry(demo_db_url):
    from app_pages._data import build_registry_view  # the same builder the app uses
    from scoring.methodology import methodology_for
    from storage import queries
    from storage.db import make_engine
    engine = make_engine(demo_db_url)
    view = build_registry_view(queries.owners_frame(engine), queries.pages_frame(engine),
                               queries.snapshots_frame(engine), methodology_for("2026Q3").required_platforms)
    engine.dispose()
    body = view.owners.filter(pl.col("kind") == "executive_body")["owner_name"][0]
    scoped = scope_registry(view, Scope(body))
    assert set(scoped.pages["body_name"].to_list()) == {body} == set(scoped.owners["body_name"].to_list())
    assert scoped.counts["pages"].sum() <= scoped.pages.height



def test_public_registry_of_a_renamed_body_keeps_its_pages(demo_db_url, monkeypatch):
    """«Реестр» → «Публикация» on a past day for a «body» user: the scope's key joins the body's names; the pages
    are those of any of them (comparing body_name with the whole key left a renamed body nothing)."""
    from datetime import date

    from app_pages import _data
    monkeypatch.setenv("GOSPABLIKI_DATABASE_URL", demo_db_url)
    day, version = date(2026, 10, 1), _data.version()
    everything = _data._public_pages(version, day, "")
    body = everything["body_name"].drop_nulls()[0]
    own = _data._public_pages(version, day, Scope(body).key)
    renamed = _data._public_pages(version, day, Scope(body, ("Прежнее наименование",)).key)
    assert 0 < own.height < everything.height and set(own["body_name"]) == {body}
    assert renamed.equals(own)

# --- the app, signed in as a body user ---

def _texts(at) -> str:
    parts = []
    for kind in ("markdown", "caption", "title", "subheader", "info", "warning", "success", "error"):
        parts += [e.value for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value} {m.help or ''}" for m in at.metric]
    parts += [df.value.to_csv() for df in at.dataframe]
    parts += [" ".join(map(str, s.options)) for s in at.selectbox]
    parts += [c.proto.spec for c in at.get("plotly_chart")]
    return "\n".join(parts)


def _signed_in(at: AppTest, username: str) -> AppTest:
    at.run()
    at.text_input[0].input(username)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert at.session_state["auth_user"] == username, [e.value for e in at.error]
    return at


@pytest.fixture
def body_app(demo_db_url, monkeypatch, demo_view):
    from storage.db import get_engine
    from storage.users import set_user
    body, other = _two_bodies(demo_view)
    monkeypatch.setenv("GOSPABLIKI_DATABASE_URL", demo_db_url)
    monkeypatch.setenv("GOSPABLIKI_AUTH", "1")
    engine = get_engine(demo_db_url)
    set_user(engine, "finance-body", PASSWORD, "body", by="test", body=body)
    set_user(engine, "analyst-full", PASSWORD, "analyst", by="test")
    return body, other


@pytest.mark.parametrize("screen", SCREENS)
def test_body_user_sees_only_its_family_on_every_screen(screen, body_app):
    body, other = body_app
    # an analyst first: the caches now hold everybody's data — they must not serve it to the body user
    analyst = _signed_in(AppTest.from_file(APP, default_timeout=180), "analyst-full")
    analyst.switch_page(f"app_pages/{screen}.py").run()
    assert not analyst.exception
    at = _signed_in(AppTest.from_file(APP, default_timeout=180), "finance-body")
    if screen != "overview":
        at.switch_page(f"app_pages/{screen}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    shown = _texts(at)
    assert other not in shown, screen
    if screen in ("rating", "body_card", "weekly", "registry"):
        assert body in shown, screen
    if screen == "body_card":
        assert at.selectbox(key="body_card_body").options == [body]
        place = next(m for m in at.metric if m.label == "Место").value
        assert int(place.split(" из ")[1]) > 1, place  # the body is ranked (_two_bodies): a place among all bodies


def test_body_user_has_no_upload_or_admin_screen(body_app):
    hidden = [s.path for s in app_screens() if not s.visible_to("body")]
    assert hidden == ["app_pages/upload.py", "app_pages/admin.py"]
    at = _signed_in(AppTest.from_file(APP, default_timeout=180), "finance-body")
    assert not at.exception
    for path in hidden:
        with pytest.raises(ValueError, match="Could not find a navigation page"):  # not in the navigation at all
            at.switch_page(path)

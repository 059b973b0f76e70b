"""Storage on both SQLite and the real PostgreSQL server (db_url is parametrised)."""
from datetime import date

import pytest
from sqlalchemy import func, select

from loaders.errors import LoadError
from storage import schema
from storage.ingest import ingest_bytes
from storage.queries import owners_frame, pages_frame, snapshots_frame, stats
from tests.factories import registry_rows, registry_xlsx


def counts(engine) -> dict:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (schema.owners, schema.pages, schema.page_snapshots, schema.batches, schema.audit_log)}


def test_registry_load_and_idempotent_reload(engine):
    content = registry_xlsx()
    report = ingest_bytes(engine, content, "реестр.xlsx", user="analyst", as_of=date(2026, 10, 1))
    assert (report["owners_added"], report["pages_added"], report["snapshots_added"]) == (4, 5, 5)
    assert stats(engine) == {"owners": 4, "pages": {"vk": 3, "ok": 1, "telegram": 1}, "posts": 0, "batches": 1,
                             "unregistered_pages": 0}
    before = counts(engine)
    again = ingest_bytes(engine, content, "реестр.xlsx", user="analyst", as_of=date(2026, 10, 1))
    assert again["duplicate_of"] == report["batch_id"]
    assert counts(engine) == before


def test_reload_updates_in_place(engine):
    ingest_bytes(engine, registry_xlsx(), "реестр.xlsx", user="analyst", as_of=date(2026, 10, 1))
    rows = registry_rows()
    rows[1][18] = 6100  # subscribers grew
    rows[1][5] = "https://vk.com/club2002"  # the same page, now registered by its numeric address
    rows[4][0] = "ОГКУ «Центр бухгалтерского обслуживания»"  # same name
    report = ingest_bytes(engine, registry_xlsx(rows), "реестр-2.xlsx", user="analyst", as_of=date(2026, 11, 1))
    assert (report["owners_added"], report["pages_added"]) == (0, 0)
    # every page's subscriber count is a mark of 01.11 (unchanged counts too: "observed unchanged")
    assert report["pages_updated"] == 1 and report["snapshots_added"] == 5
    pages = pages_frame(engine)
    assert pages.height == 5
    assert "club2002" in pages["page_key"].to_list()
    snapshots = snapshots_frame(engine)
    dep = pages.filter(pages["page_key"] == "club2002")["page_id"].item()
    history = snapshots.filter(snapshots["page_id"] == dep).sort("as_of")
    assert history["subscribers"].to_list() == [5200, 6100]
    assert history["as_of"].to_list() == [date(2026, 10, 1), date(2026, 11, 1)]


def test_a_file_with_errors_writes_nothing(engine):
    ingest_bytes(engine, registry_xlsx(), "реестр.xlsx", user="analyst", as_of=date(2026, 10, 1))
    before = counts(engine)
    rows = registry_rows()
    rows.append(["Новое учреждение", "Учреждение", "Нет такого органа", None, "ВКонтакте", "https://vk.com/new_one",
                 None, None, None, None, None, None, None, None, None, None, None, None, None, None])
    rows[0][18] = 999999
    with pytest.raises(LoadError):
        ingest_bytes(engine, registry_xlsx(rows), "плохой.xlsx", user="analyst")
    assert counts(engine) == before


def test_owner_hierarchy_and_audit(engine):
    ingest_bytes(engine, registry_xlsx(), "реестр.xlsx", user="analyst", as_of=date(2026, 10, 1))
    owners = owners_frame(engine)
    inst = owners.filter(owners["kind"] == "institution").row(0, named=True)
    assert inst["parent_name"] == "Департамент финансов Томской области"
    with engine.connect() as conn:
        audit = conn.execute(select(schema.audit_log.c.user, schema.audit_log.c.action)).all()
    assert [tuple(a) for a in audit] == [("analyst", "upload")]

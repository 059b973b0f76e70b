"""The registry kept in the app (issue 17), on SQLite and PostgreSQL: edits validated by the registry loader and
refused at the cell with nothing written, one save = one revertible batch, a viewer refused by the service, a page
renamed mid-quarter keeping its posts and rating (its old address still matching uploads), a closed page not
required after its closing, history, the registry as of a day (`registry --as-of`) and the public HTML page."""
import hashlib
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, select

from core.calendar import Quarter
from services import registry as service
from storage import schema
from storage.activity_store import revert_batch
from storage.ingest import ingest_bytes
from storage.queries import pages_frame
from tests.factories import registry_xlsx, unix, vk_post, vk_wall

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 30)
TABLES = (schema.owners, schema.pages, schema.page_snapshots, schema.registry_changes, schema.page_links,
          schema.batches)


def fingerprint(engine) -> str:
    """Every registry table, row by row: equal before and after means nothing was written."""
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in TABLES:
            for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def page_id_of(engine, url: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(schema.pages.c.id).where(schema.pages.c.url == url)).scalar_one()


def owner_id_of(engine, name: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(schema.owners.c.id).where(schema.owners.c.name == name)).scalar_one()


@pytest.fixture
def registry(engine):
    ingest_bytes(engine, registry_xlsx(), "реестр.xlsx", user="тест", as_of=date(2026, 3, 31))
    return engine


def save_page(engine, address: str, role: str = "analyst", today: date = TODAY, **changes):
    page_id = page_id_of(engine, address)
    form = service.page_form(engine, page_id, today)
    items = {**form["items"], **changes.pop("items", {})}
    return service.save_page(engine, page_id, {**form, **changes, "items": items}, form, user="аналитик",
                             role=role, today=today)


def save_owner(engine, owner: str, role: str = "analyst", today: date = TODAY, **changes):
    owner_id = owner_id_of(engine, owner)
    form = service.owner_form(engine, owner_id)
    return service.save_owner(engine, owner_id, {**form, **changes}, form, user="аналитик", role=role, today=today)


def refused(engine, save, *args, **kwargs) -> service.EditRefused:
    """What `save(engine, …)` is refused with; nothing is written (every registry table as it was)."""
    before = fingerprint(engine)
    with pytest.raises(service.EditRefused) as refusal:
        save(engine, *args, **kwargs)
    assert fingerprint(engine) == before
    return refusal.value


# --- refused edits: a Russian message at the cell, nothing written ---

DEPFIN, INSTITUTION = "https://vk.com/depfin_tomsk", "ОГКУ «Центр бухгалтерского обслуживания»"


@pytest.mark.parametrize("save, row, changes, cells", [
    # a VK address on a Telegram page, at the link cell
    (save_page, "https://t.me/depfin_tomsk", {"url": "https://vk.com/depfin_other"},
     {"url": "ссылка «https://vk.com/depfin_other» ведёт на ВКонтакте, а указана платформа Telegram"}),
    # a parent that is not an executive body, and a name no owner of the registry has, at the parent cell
    (save_owner, INSTITUTION, {"parent": "Губернатор Томской области"},
     {"parent": "вышестоящим органом может быть только исполнительный орган, а «Губернатор Томской области» — "
                "губернатор"}),
    (save_owner, INSTITUTION, {"parent": "Департамент несуществующих дел"},
     {"parent": "вышестоящий орган «Департамент несуществующих дел» не найден ни в файле, ни в реестре"}),
    # the address and the platform id of another page
    (save_page, DEPFIN, {"url": "vk.com/gubernator_tomsk"},
     {"url": "страница https://vk.com/gubernator_tomsk уже есть в реестре: «Губернатор Томской области», "
             "https://vk.com/gubernator_tomsk"}),
    (save_page, DEPFIN, {"platform_id": "1001"},
     {"platform_id": "ID -1001 уже указан у другой страницы реестра: «Губернатор Томской области», "
                     "https://vk.com/gubernator_tomsk"}),
    # other bad cells, each where it is
    (save_page, DEPFIN, {"registered_on": "31.02.2024", "closed_on": "01.01.2020",
                         "items": {"subscribers": "много", "pos_widgets": 5, "status_mark": None}},
     {"registered_on": "несуществующая дата «31.02.2024»", "subscribers": "ожидается целое число, указано «много»",
      "pos_widgets": "значение не может быть больше 2, указано 5"}),
    (save_page, DEPFIN, {"items": {"status_mark": None}},
     {"status_mark": "сведения нельзя стереть: укажите значение (прежние сведения остаются в истории)"}),
    (save_page, DEPFIN, {"closed_on": date(2020, 1, 1)},
     {"closed_on": "страница не может быть закрыта 01.01.2020 — раньше даты регистрации 15.03.2023"}),
])
def test_a_bad_cell_is_refused_at_the_cell_and_nothing_is_written(registry, save, row, changes, cells):
    error = refused(registry, save, row, **changes)
    assert {cell: error.at(cell) for cell in cells} == {cell: [message] for cell, message in cells.items()}
    assert str(error).startswith("Изменения не сохранены: ")


def test_a_viewer_cannot_save_the_service_refuses_it(registry):
    before = fingerprint(registry)
    for role in ("viewer", None, "body"):
        with pytest.raises(service.EditRefused, match="только аналитики ЦУР и администраторы"):
            save_page(registry, "https://vk.com/depfin_tomsk", role=role, url="https://vk.com/depfin_new")
    owner = owner_id_of(registry, "Губернатор Томской области")
    with pytest.raises(service.EditRefused):
        service.save_owner(registry, owner, {"name": "Другое имя", "kind": "governor"}, None, user="зритель",
                           role="viewer")
    with pytest.raises(service.EditRefused):
        service.set_checklist_item(registry, [1, 2], "gospubliki", True, user="зритель", role="viewer")
    assert fingerprint(registry) == before
    with registry.connect() as conn:  # the attempts are in the audit log
        assert conn.execute(select(func.count()).select_from(schema.audit_log).where(
            schema.audit_log.c.action == "edit_refused")).scalar_one() == 5


# --- saves: one batch, revertible, with history ---

def test_a_save_is_one_batch_with_history_and_reverts_completely(registry):
    before = fingerprint(registry)
    page = page_id_of(registry, "https://vk.com/depfin_tomsk")
    report = save_page(registry, "https://vk.com/depfin_tomsk", url="https://vk.com/depfin_new",
                       responsible="Петрова Б.Б.", items={"moderation_rules": True}, checked_on=date(2026, 11, 20))
    assert report["batch_id"] and report["pages_updated"] == 1 and report["snapshots_added"] == 1
    form = service.page_form(registry, page, TODAY)
    assert (form["url"], form["responsible"], form["items"]["moderation_rules"]) == (
        "https://vk.com/depfin_new", "Петрова Б.Б.", True)
    assert form["items_as_of"]["moderation_rules"] == date(2026, 11, 20)
    history = service.history(registry, "pages", page)
    newest = history.filter(pl.col("batch").str.starts_with(f"№ {report['batch_id']},"))
    assert set(newest["user"]) == {"аналитик"} and set(newest["status"]) == {"действует"}
    assert {(r["field"], r["before"], r["after"]) for r in newest.iter_rows(named=True)} >= {
        ("Ссылка", "https://vk.com/depfin_tomsk", "https://vk.com/depfin_new"),
        ("Ответственный", "Иванова А.А.", "Петрова Б.Б."), ("Правила модерации", "нет", "да (сведения на 20.11.2026)")}
    assert save_page(registry, "https://vk.com/depfin_new")["batch_id"] is None  # nothing changed: no batch

    reverted = revert_batch(registry, report["batch_id"], "аналитик")
    assert reverted["pages_restored"] == 1 and reverted["snapshots"] == 1
    form = service.page_form(registry, page, TODAY)
    assert (form["url"], form["responsible"], form["items"]["moderation_rules"]) == (
        "https://vk.com/depfin_tomsk", "Иванова А.А.", False)
    with registry.connect() as conn:  # the old address link went with the batch
        assert conn.execute(select(func.count()).select_from(schema.page_links)).scalar_one() == 0
    assert "отменён" in service.history(registry, "pages", page)["status"][0]
    assert fingerprint(registry) != before  # the reverted batch stays listed
    with registry.connect() as conn:
        assert conn.execute(select(schema.batches.c.status).where(
            schema.batches.c.id == report["batch_id"])).scalar_one() == "reverted"


def test_new_owner_and_page_then_bulk_checklist_item(registry):
    new = service.save_owner(registry, None, {"name": "ОГБУ «Музей истории»", "kind": "institution",
                                              "parent": "Департамент финансов Томской области",
                                              "ogrn": "1027000000099"}, user="аналитик", role="analyst", today=TODAY)
    assert new["owners_added"] == 1
    museum = owner_id_of(registry, "ОГБУ «Музей истории»")
    with pytest.raises(service.EditRefused) as twice:
        service.save_owner(registry, None, {"name": "огбу музей истории", "kind": "institution",
                                            "parent": "Департамент финансов Томской области"},
                           user="аналитик", role="analyst", today=TODAY)
    assert twice.value.at("owner") == ["владелец «ОГБУ «Музей истории»» уже есть в реестре"]
    added = service.save_page(registry, None, {"owner_id": museum, "platform": "telegram", "url": "t.me/museum_tomsk",
                                               "registered_on": date(2026, 10, 1),
                                               "items": {"avatar": True, "subscribers": "120"}},
                              user="аналитик", role="analyst", today=TODAY)
    assert added["pages_added"] == 1 and added["snapshots_added"] == 1
    telegram = page_id_of(registry, "https://t.me/museum_tomsk")
    depfin = page_id_of(registry, "https://vk.com/depfin_tomsk")
    bulk = service.set_checklist_item(registry, [telegram, depfin], "pos_widgets", 2, date(2026, 11, 25),
                                      user="аналитик", role="analyst", today=TODAY)
    assert bulk["snapshots_added"] == 1 and "Telegram" in bulk["message"]  # no ПОС widget on Telegram
    bulk = service.set_checklist_item(registry, [telegram, depfin], "gospubliki", True, date(2026, 11, 25),
                                      user="аналитик", role="analyst", today=TODAY)
    assert bulk["snapshots_added"] == 2
    assert service.page_form(registry, telegram, TODAY)["items"]["gospubliki"] is True
    with registry.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.batches).where(
            schema.batches.c.format == "registry_edit")).scalar_one() == 4


def test_a_value_changed_by_someone_else_meanwhile_is_not_overwritten(registry):
    page = page_id_of(registry, "https://vk.com/depfin_tomsk")
    opened = service.page_form(registry, page, TODAY)
    save_page(registry, "https://vk.com/depfin_tomsk", responsible="Сидоров В.В.")
    with pytest.raises(service.EditRefused) as refused:
        service.save_page(registry, page, {**opened, "responsible": "Петрова Б.Б."}, opened, user="второй",
                          role="analyst", today=TODAY)
    assert "уже изменил другой пользователь" in refused.value.at("responsible")[0]
    assert service.page_form(registry, page, TODAY)["responsible"] == "Сидоров В.В."


# --- identity: a renamed page keeps its posts and rating; old addresses still match ---

def test_a_page_renamed_mid_quarter_keeps_its_posts_and_rating(registry):
    from services.quarters import fresh_rating
    weeks = Quarter(2026, 1).weeks()
    posts = [vk_post(n * 10 + k, unix(w.year, w.month, w.day, 5) + 86_400 * (k + 1)) for n, w in enumerate(weeks)
             for k in range(3)]
    ingest_bytes(registry, vk_wall(posts[:18]), "январь-февраль.json", user="тест",
                 period=(date(2025, 12, 29), date(2026, 2, 8)))
    page = page_id_of(registry, "https://vk.com/depfin_tomsk")

    def rated():
        row = fresh_rating(registry, Quarter(2026, 1), today=date(2026, 5, 1)).pages.filter(pl.col("page_id") == page)
        return row.select("url", "posts", "weeks", "score").row(0)

    save_page(registry, "https://vk.com/depfin_tomsk", url="https://vk.com/depfin_renamed")
    # the rest of the quarter comes under the numeric id (VK) and under the old address (the activity template)
    ingest_bytes(registry, vk_wall(posts[18:33]), "февраль-март.json", user="тест",
                 period=(date(2026, 2, 9), date(2026, 3, 15)))
    template = "Ссылка на страницу;Дата и время;Тип\n" + "".join(
        f"https://vk.com/depfin_tomsk;{d:%d.%m.%Y} 12:00;фото\n" for w in weeks[11:] for d in
        (w + timedelta(days=1), w + timedelta(days=2), w + timedelta(days=3)))
    ingest_bytes(registry, template.encode("utf-8-sig"), "март.csv", user="тест",
                 period=(date(2026, 3, 16), date(2026, 3, 29)))
    url, count, weeks_counted, score = rated()
    # renamed on 30.11.2026: I кв. 2026 is rated against the registry as it stood on 31.03.2026 — its address then
    assert url == "https://vk.com/depfin_tomsk" and count == 39 and weeks_counted == 13 and score is not None
    now = fresh_rating(registry, Quarter(2026, 4), today=TODAY, with_movement=False).pages
    assert now.filter(pl.col("page_id") == page)["url"].item() == "https://vk.com/depfin_renamed"
    assert pages_frame(registry).filter(pl.col("url") == "https://vk.com/depfin_tomsk").is_empty()  # no second page
    with registry.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.pages).where(
            schema.pages.c.owner_id.is_(None))).scalar_one() == 0
    # a registry file still naming the old address updates the same page (no duplicate)
    ingest_bytes(registry, registry_xlsx(), "реестр-старый.xlsx", user="тест", as_of=TODAY)
    assert page_id_of(registry, "https://vk.com/depfin_tomsk") == page


# --- retire: a closed page is not required after its closing ---

def test_a_page_closed_in_may_is_not_counted_missing_in_q3():
    from scoring.methodology import load_methodologies
    from scoring.rating import score_quarter
    from tests.factories import local_dt, scoring_input
    from zoneinfo import ZoneInfo
    body = {"owner_id": 1, "owner_name": "Департамент А", "kind": "executive_body"}
    may = date(2026, 5, 15)
    pages = [{"page_id": 1, "owner_id": 1, "platform": "vk", "url": "https://vk.com/old", "closed_on": may},
             {"page_id": 2, "owner_id": 1, "platform": "vk", "url": "https://vk.com/new"},
             {"page_id": 3, "owner_id": 1, "platform": "telegram", "url": "https://t.me/a", "closed_on": may},
             {"page_id": 4, "owner_id": 1, "platform": "ok", "url": "https://ok.ru/group/1"}]
    q3 = Quarter(2026, 3)
    posts = [{"page_id": p, "post_id": f"{p}-{w}-{k}", "published_at": local_dt(w.year, w.month, w.day) +
              timedelta(days=k + 1), "views": 100, "likes": 1, "comments": 0, "reposts": 0, "reactions": None,
              "is_repost": False, "is_live": False} for p in (2, 4) for w in q3.weeks() for k in range(3)]
    coverage = [{"page_id": p, "data_kind": "posts", "date_from": q3.weeks()[0], "date_to": date(2026, 10, 4)}
                for p in (2, 4)]
    m, tz = load_methodologies()[0], ZoneInfo("Asia/Tomsk")
    rating = score_quarter(scoring_input([body], pages, posts, coverage), m, q3, tz, date(2026, 11, 1))
    assert sorted(rating.pages["page_id"]) == [2, 4]  # the May-closed pages are not registered in Q3
    owner = rating.owners.row(0, named=True)
    assert owner["missing_platforms"] == ["telegram"]  # VK has another page; the only Telegram page is closed
    q2 = score_quarter(scoring_input([body], pages), m, Quarter(2026, 2), tz, date(2026, 11, 1))
    assert sorted(q2.pages["page_id"]) == [1, 2, 3, 4]  # the quarter it closed in keeps it


def test_closing_a_page_from_the_screen(registry):
    save_page(registry, "https://t.me/depfin_tomsk", closed_on=date(2026, 5, 15))
    frame = pages_frame(registry)
    assert frame.filter(pl.col("url") == "https://t.me/depfin_tomsk")["closed_on"].to_list() == [date(2026, 5, 15)]
    today_view = service.registry_on(registry, TODAY)
    body = today_view.owners.filter(pl.col("owner_name") == "Департамент финансов Томской области").row(0, named=True)
    assert body["telegram"] == 0 and "Telegram" in body["missing_platforms"]
    assert "https://t.me/depfin_tomsk" not in service.public_pages(registry, TODAY)["url"].to_list()
    from services.quarters import fresh_rating  # the rating reads the closing day from the database
    q3 = fresh_rating(registry, Quarter(2026, 3), today=TODAY, with_movement=False)
    q2 = fresh_rating(registry, Quarter(2026, 2), today=TODAY, with_movement=False)
    assert "https://t.me/depfin_tomsk" not in q3.pages["url"].to_list()
    assert "https://t.me/depfin_tomsk" in q2.pages["url"].to_list()


# --- the registry as of a day ---

def test_registry_as_of_reproduces_a_past_state(registry):
    save_page(registry, "https://vk.com/depfin_tomsk", url="https://vk.com/depfin_new", today=date(2026, 9, 1))
    owner = owner_id_of(registry, "Департамент финансов Томской области")
    service.save_page(registry, None, {"owner_id": owner, "platform": "ok", "url": "ok.ru/group/70000000000777"},
                      user="аналитик", role="analyst", today=date(2026, 10, 1))
    save_page(registry, "https://vk.com/id4004", closed_on=date(2026, 10, 15), today=date(2026, 10, 20))
    before_registry = service.public_pages(registry, date(2026, 3, 1))
    assert before_registry.is_empty()  # the registry was loaded «на 31.03.2026»
    march = set(service.public_pages(registry, date(2026, 6, 30))["url"])
    august = set(service.public_pages(registry, date(2026, 9, 15))["url"])
    now = set(service.public_pages(registry, TODAY)["url"])
    assert "https://vk.com/depfin_tomsk" in march and "https://vk.com/depfin_new" not in march
    assert "https://vk.com/depfin_new" in august and "https://ok.ru/group/70000000000777" not in august
    assert "https://ok.ru/group/70000000000777" in now and "https://vk.com/id4004" not in now
    assert "https://vk.com/id4004" in august and len(march) == 5 and len(now) == 5


def cli(*args: str, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GOSPABLIKI_DATABASE_URL": url}
    return subprocess.run([sys.executable, "cli.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def test_cli_registry_as_of_writes_the_past_and_the_present(sqlite_url, tmp_path):
    from storage.db import make_engine
    engine = make_engine(sqlite_url)
    ingest_bytes(engine, registry_xlsx(), "реестр.xlsx", user="тест", as_of=date(2026, 3, 31))
    save_page(engine, "https://vk.com/depfin_tomsk", url="https://vk.com/depfin_new", today=date(2026, 9, 1))
    engine.dispose()
    past, present, page = tmp_path / "past.csv", tmp_path / "now.csv", tmp_path / "реестр.html"
    result = cli("registry", "--as-of", "2026-06-30", "--csv", str(past), "--html", str(page), url=sqlite_url)
    assert result.returncode == 0, result.stderr
    assert "Реестр на 30.06.2026 (5 страниц)" in result.stdout
    assert "vk.com/depfin_tomsk" in past.read_text("utf-8-sig") and "depfin_new" not in past.read_text("utf-8-sig")
    assert "https://vk.com/depfin_tomsk" in page.read_text("utf-8")
    assert cli("registry", "--csv", str(present), url=sqlite_url).returncode == 0
    assert "vk.com/depfin_new" in present.read_text("utf-8-sig")
    wrong = cli("registry", "--as-of", "30.06.2026", "--csv", str(present), url=sqlite_url)
    assert wrong.returncode == 2 and "нужно ГГГГ-ММ-ДД" in wrong.stderr
    nothing = cli("registry", "--as-of", "2026-06-30", url=sqlite_url)
    assert nothing.returncode == 2 and "--html" in nothing.stderr


# --- the public HTML page ---

def test_html_page_escapes_every_text_and_links_only_web_addresses():
    from reports.registry_export import registry_html
    pages = pl.DataFrame({"owner_name": ["<script>alert(1)</script> «Музей»", "Орган & К°"],
                          "kind": ["institution", "executive_body"], "parent_name": ["Департамент <b>", None],
                          "platform": ["vk", "telegram"], "platform_label": ["ВКонтакте", "Telegram"],
                          "url": ["javascript:alert(1)", "https://t.me/a?x=1&y=\"2\""],
                          "status_mark": [True, None]})
    text = registry_html(pages, date(2026, 11, 30)).decode("utf-8")
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt; «Музей»" in text
    assert "Департамент &lt;b&gt;" in text and "Орган &amp; К°" in text
    assert 'href="javascript' not in text and "<td class=\"url\">javascript:alert(1)</td>" in text
    assert 'href="https://t.me/a?x=1&amp;y=&quot;2&quot;"' in text
    assert "по состоянию на 30.11.2026" in text and "нет сведений" in text and "<link" not in text
    assert json.dumps("http") and "src=" not in text  # nothing loaded from elsewhere


# --- a quarter is rated against the registry as it stood then ---

def test_a_quarter_is_rated_against_the_registry_as_it_stood_on_its_last_day(registry):
    """Registry «на 31.03.2026»; on 20.10.2026 a second executive body is added and the institution moves there, the
    head is renamed, a Telegram channel registered on 15.10.2026 and an OK group registered in 2024 (but entered
    only now) are added to the head. III кв. 2026 is rated as the registry stood on 30.09.2026; IV кв. 2026 as it
    stands now."""
    from services.quarters import fresh_rating
    october = date(2026, 10, 20)
    service.save_owner(registry, None, {"name": "Департамент по культуре Томской области", "kind": "executive_body"},
                       user="аналитик", role="analyst", today=october)
    save_owner(registry, INSTITUTION, today=october, parent="Департамент по культуре Томской области")
    head = owner_id_of(registry, "Петров Сергей Иванович, начальник Департамента финансов")
    save_owner(registry, "Петров Сергей Иванович, начальник Департамента финансов", today=october,
               name="Петров С. И., начальник Департамента финансов")
    service.save_page(registry, None, {"owner_id": head, "platform": "telegram", "url": "https://t.me/petrov_fin",
                                       "registered_on": date(2026, 10, 15)},
                      user="аналитик", role="analyst", today=october)
    service.save_page(registry, None, {"owner_id": head, "platform": "ok", "url": "https://ok.ru/group/70000000000555",
                                       "registered_on": date(2024, 2, 1)},
                      user="аналитик", role="analyst", today=october)

    q3 = fresh_rating(registry, Quarter(2026, 3), today=TODAY, with_movement=False)
    q4 = fresh_rating(registry, Quarter(2026, 4), today=TODAY, with_movement=False)

    def parent_of(rating, name):
        return rating.owners.filter(pl.col("owner_name") == name)["parent_name"].item()
    assert parent_of(q3, "ОГКУ «Центр бухгалтерского обслуживания»") == "Департамент финансов Томской области"
    assert parent_of(q4, "ОГКУ «Центр бухгалтерского обслуживания»") == "Департамент по культуре Томской области"
    q3_names, q4_names = set(q3.owners["owner_name"]), set(q4.owners["owner_name"])
    assert "Петров Сергей Иванович, начальник Департамента финансов" in q3_names
    assert "Петров С. И., начальник Департамента финансов" in q4_names
    assert "Департамент по культуре Томской области" not in q3_names
    # the channel registered after III кв. is no page of it (the head's Telegram counts as missing there)
    assert "https://t.me/petrov_fin" not in q3.pages["url"].to_list()
    assert "https://t.me/petrov_fin" in q4.pages["url"].to_list()
    # a page entered later does not excuse an earlier quarter without it, whatever its registration day says
    assert "https://ok.ru/group/70000000000555" not in q3.pages["url"].to_list()
    assert "https://ok.ru/group/70000000000555" in q4.pages["url"].to_list()
    # the registry uploaded «на 31.03.2026» still rates I кв. 2026, whose last day it postdates
    q1 = fresh_rating(registry, Quarter(2026, 1), today=TODAY, with_movement=False)
    assert set(q1.pages["url"]) == set(q3.pages["url"])


def test_a_page_added_on_the_screen_takes_over_the_page_its_exports_brought(registry):
    """A wall.get names a community by its numeric id only: its posts wait on an ownerless «vk.com/club7777» page.
    The analyst adding «vk.com/depfin_second» with ID 7777 takes that page over with its posts (as a registry file
    with the ID does), instead of a second, empty page."""
    ingest_bytes(registry, vk_wall([vk_post(1, unix(2026, 4, 7), owner_id=-7777),
                                    vk_post(2, unix(2026, 4, 8), owner_id=-7777)]),
                 "wall.json", user="тест", period=(date(2026, 4, 6), date(2026, 4, 12)))
    with registry.connect() as conn:
        waiting = conn.execute(select(schema.pages.c.id).where(schema.pages.c.owner_id.is_(None))).scalar_one()
    owner = owner_id_of(registry, "Департамент финансов Томской области")
    service.save_page(registry, None, {"owner_id": owner, "platform": "vk", "url": "https://vk.com/depfin_second",
                                       "platform_id": "7777", "registered_on": date(2026, 1, 10)},
                      user="аналитик", role="analyst", today=date(2026, 5, 1))
    assert page_id_of(registry, "https://vk.com/depfin_second") == waiting
    with registry.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.pages).where(
            schema.pages.c.platform_id == "-7777")).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(schema.posts).where(
            schema.posts.c.page_id == waiting)).scalar_one() == 2
    # a later export naming the old address or the id still lands on it
    ingest_bytes(registry, vk_wall([vk_post(3, unix(2026, 4, 15), owner_id=-7777)]), "wall2.json", user="тест",
                 period=(date(2026, 4, 13), date(2026, 4, 19)))
    with registry.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.pages)).scalar_one() == 6


def test_a_renamed_body_keeps_its_users_view_of_past_quarters(registry):
    """The body renamed on 20.10.2026: III кв. names it as it was named then; its user (bound by either name) sees
    its family in both quarters."""
    from services.quarters import quarter_view
    from scoring.tables import to_payload
    from services.scope import body_scope, scope_tables
    old, new = "Департамент финансов Томской области", "Министерство финансов Томской области"
    save_owner(registry, old, today=date(2026, 10, 20), name=new)
    for bound in (new, old):  # a user bound before the renaming keeps the binding too
        scope = body_scope(registry, bound)
        assert scope.names == {old, new}
        for quarter, shown in ((Quarter(2026, 3), old), (Quarter(2026, 4), new)):
            payload = to_payload(scope_tables(quarter_view(registry, quarter, TODAY).tables, scope))
            assert [r["owner"] for r in payload["bodies"]] == [shown] and payload["scope"]["body"] == shown
            assert {r["owner"] for r in payload["heads"]} == {"Петров Сергей Иванович, начальник Департамента финансов"}
            assert payload["pages"] and all(p["owner"] in (shown, "Петров Сергей Иванович, начальник Департамента "
                                                           "финансов", "ОГКУ «Центр бухгалтерского обслуживания»")
                                            for p in payload["pages"])
    assert body_scope(registry, "Департамент несуществующих дел").names == {"Департамент несуществующих дел"}

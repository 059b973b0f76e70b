"""Issue 14, storage: every counter traceable to the file that proves it — on SQLite and the real PostgreSQL.

The «сведения на» moment of a batch decides which version of a row is current (not the upload order); a stated
period makes a file evidence of silence; a file naming no page can be assigned to one; a registry batch reverts
completely; an unchanged subscriber count is still a mark; a colliding comment id is a reported conflict."""
import json
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from loaders.errors import LoadError
from storage import schema
from storage.activity_store import batch_order, current_versions, revert_batch
from storage.ingest import ingest_bytes, inspect_bytes
from storage.queries import coverage_frame, pages_frame, snapshots_frame
from tests.factories import registry_rows, registry_xlsx, tg_chat, tg_message, to_json, unix, vk_post, vk_wall
from tests.test_cli import cli

DEPFIN_VK = "https://vk.com/depfin_tomsk"
DEPFIN_TG = "https://t.me/depfin_tomsk"
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


@pytest.fixture
def registered(engine):
    ingest_bytes(engine, registry_xlsx(), "реестр.xlsx", user="analyst", as_of=date(2026, 10, 1))
    return engine


def wall(likes: int, ids=range(1, 6), day_step: int = 3) -> bytes:
    return vk_wall([vk_post(i, unix(2026, 10, i * day_step), likes={"count": likes}) for i in ids])


def likes(engine) -> dict[str, int]:
    with engine.connect() as conn:
        posts = current_versions(conn, "posts")
    return dict(zip(posts["post_id"], posts["likes"]))


def page_id(engine, url: str) -> int:
    pages = pages_frame(engine)
    return pages.filter(pages["url"] == url)["page_id"].item()


# --- 1. observation time decides, not upload order --------------------------------------------------------------

def test_older_export_after_a_newer_one_changes_nothing_and_says_so(registered):
    newer = ingest_bytes(registered, wall(50), "nov.json", user="analyst", as_of=date(2026, 11, 5))
    assert newer["observed_source"] == "stated" and newer["observed_label"] == "сведения на 05.11.2026 (указано при загрузке)"
    assert newer["observed_at"] == "2026-11-05T16:59:59Z"  # the end of the stated day in Tomsk (UTC+7)
    before = likes(registered)
    older = ingest_bytes(registered, wall(10), "oct.json", user="analyst", as_of=date(2026, 10, 20))
    assert likes(registered) == before == {str(i): 50 for i in range(1, 6)}
    assert (older["posts_added"], older["posts_updated"], older["posts_unchanged"]) == (0, 0, 0)
    assert older["older_than_current"] == 5 and older["observed_at"] == "2026-10-20T16:59:59Z"
    assert older["newer_observed_at"] == newer["observed_at"]
    assert older["older_note"].startswith("не заменено: публикаций 5 — в базе более поздние сведения (на 05.11.2026 "
                                          "23:59), файл старше")
    # it is kept (not current): reverting the newer batch makes the older observation current again
    assert older["batch_id"] is not None
    revert_batch(registered, newer["batch_id"], "analyst")
    assert likes(registered) == {str(i): 10 for i in range(1, 6)}


def test_the_latest_observation_wins_whatever_the_upload_order(engine):
    ingest_bytes(engine, registry_xlsx(), "реестр.xlsx", user="analyst", as_of=date(2026, 10, 1))
    # by file: the newest dated item is the observation moment (22.10 > 15.10)
    early, late = wall(10, ids=range(1, 6)), wall(70, ids=range(1, 12), day_step=2)
    first = ingest_bytes(engine, late, "late.json", user="analyst")
    assert first["observed_source"] == "file" and first["observed_at"] == "2026-10-22T12:00:00Z"
    assert first["observed_label"] == "сведения на 22.10.2026 19:00 (по самой поздней записи файла)"
    second = ingest_bytes(engine, early, "early.json", user="analyst")
    assert second["older_than_current"] == 5 and second["posts_updated"] == 0
    assert set(likes(engine).values()) == {70}
    with engine.connect() as conn:
        order = batch_order(conn).sort("batch_rank")["batch_id"].to_list()
    assert order.index(first["batch_id"]) > order.index(second["batch_id"])  # observed later, uploaded earlier


def test_ties_go_to_the_later_upload_and_the_report_counts_updates_it_made_current(registered):
    ingest_bytes(registered, wall(10), "a.json", user="analyst", as_of=date(2026, 11, 1))
    again = ingest_bytes(registered, wall(20), "b.json", user="analyst", as_of=date(2026, 11, 1))
    assert (again["posts_updated"], again["older_than_current"]) == (5, 0)
    assert set(likes(registered).values()) == {20}


def test_a_stated_day_cannot_precede_the_files_newest_item(registered):
    with pytest.raises(LoadError, match=r"файл «w\.json»: дата сведений 10\.10\.2026 раньше самой поздней записи "
                                        r"файла \(15\.10\.2026 19:00\)"):
        ingest_bytes(registered, wall(10), "w.json", user="analyst", as_of=date(2026, 10, 10))
    with pytest.raises(LoadError, match="ещё не наступила"):
        ingest_bytes(registered, wall(10), "w.json", user="analyst", as_of=date(2099, 1, 1))


def test_inspect_reports_the_observation_and_the_pages_named(tmp_path):
    report = inspect_bytes(wall(10), "w.json")
    assert report["observed_at"] == "2026-10-15T12:00:00Z"
    assert report["page_refs"] == [{"platform": "vk", "id": "-2002", "url": "https://vk.com/club2002", "name": None}]
    empty = inspect_bytes(vk_wall([]), "empty.json")
    assert (empty["observed_at"], empty["page_refs"]) == (None, [])


# --- 2. coverage as evidence -------------------------------------------------------------------------------------

def test_a_stated_period_proves_silence_of_a_page_named_with_no_posts(registered):
    channel = to_json(tg_chat([]))  # the department's channel, nothing published
    without = ingest_bytes(registered, channel, "result.json", user="analyst")
    assert without["batch_id"] is None and "период выгрузки не указан" in without["coverage_note"]
    report = ingest_bytes(registered, channel, "result.json", user="analyst", period=OCTOBER)
    assert report["batch_id"] is not None and report["coverage_note"] is None
    coverage = coverage_frame(registered)
    assert coverage.select("page_id", "data_kind", "date_from", "date_to").rows() == [
        (page_id(registered, DEPFIN_TG), "posts", *OCTOBER)]


def test_an_empty_wall_assigned_to_a_page_proves_its_silence(registered):
    empty = vk_wall([])
    unassigned = ingest_bytes(registered, empty, "wall.json", user="analyst", period=OCTOBER)
    assert unassigned["batch_id"] is None and "не называет ни одной страницы" in unassigned["coverage_note"]
    report = ingest_bytes(registered, empty, "wall.json", user="analyst", period=OCTOBER, page=DEPFIN_VK)
    assert report["batch_id"] is not None and report["assigned_page"]["url"] == DEPFIN_VK
    assert report["observed_source"] == "upload" and "в файле нет датированных записей" in report["observed_label"]
    assert coverage_frame(registered).select("page_id", "data_kind", "date_from", "date_to").rows() == [
        (page_id(registered, DEPFIN_VK), "posts", *OCTOBER)]
    # the same empty file for another page and the same period is new evidence; for the same page, nothing
    assert ingest_bytes(registered, empty, "wall.json", user="analyst", period=OCTOBER, page=DEPFIN_VK)[
        "batch_id"] is None
    governor = ingest_bytes(registered, empty, "wall.json", user="analyst", period=OCTOBER,
                            page="https://vk.com/gubernator_tomsk")
    assert governor["batch_id"] is not None and coverage_frame(registered).height == 2
    # without a period an assigned empty file covers nothing, and says so
    bare = ingest_bytes(registered, empty, "wall.json", user="analyst", page=DEPFIN_VK)
    assert bare["batch_id"] is None and "период выгрузки не указан" in bare["coverage_note"]


def test_page_assignment_is_checked(registered):
    with pytest.raises(LoadError, match="это страница реестра https://vk.com/depfin_tomsk, а не указанная страница"):
        ingest_bytes(registered, wall(10), "w.json", user="analyst", page="https://vk.com/gubernator_tomsk")
    with pytest.raises(LoadError, match="выгрузка платформы ВКонтакте, а указана страница платформы Telegram"):
        ingest_bytes(registered, vk_wall([]), "w.json", user="analyst", page=DEPFIN_TG, period=OCTOBER)
    with pytest.raises(LoadError, match="страницы https://vk.com/nobody_here нет в реестре"):
        ingest_bytes(registered, vk_wall([]), "w.json", user="analyst", page="vk.com/nobody_here")
    with pytest.raises(LoadError, match="только для выгрузки активности"):
        ingest_bytes(registered, registry_xlsx(), "реестр.xlsx", user="analyst", page=DEPFIN_VK)
    # the file's own page, named by its numeric address, is the assigned one: accepted
    assert ingest_bytes(registered, wall(10), "w.json", user="analyst", page="https://vk.com/club2002")[
        "posts_added"] == 5


def test_an_unknown_channel_assigned_to_a_registry_page_is_linked_with_the_batch(registered):
    export = to_json(tg_chat([tg_message(1, unix(2026, 10, 5))], chat_id=5555, name="Канал"))
    report = ingest_bytes(registered, export, "result.json", user="analyst", page=DEPFIN_TG)
    assert report["unmatched_pages"] == [] and report["posts_added"] == 1
    target = page_id(registered, DEPFIN_TG)
    with registered.connect() as conn:
        assert current_versions(conn, "posts")["page_id"].to_list() == [target]
    later = to_json(tg_chat([tg_message(2, unix(2026, 10, 6))], chat_id=5555))
    assert ingest_bytes(registered, later, "result.json", user="analyst")["unmatched_pages"] == []
    revert_batch(registered, report["batch_id"], "analyst")  # the learned link goes with its batch
    again = to_json(tg_chat([tg_message(3, unix(2026, 10, 7))], chat_id=5555))
    assert len(ingest_bytes(registered, again, "result.json", user="analyst")["unmatched_pages"]) == 1


# --- 3. registry batches revert completely -------------------------------------------------------------------------

BOOKKEEPING = {"batches", "audit_log", "registry_changes"}


def database_state(engine) -> dict[str, list]:
    """Every row and column of every table but the audit and batch bookkeeping, in a stable order."""
    state = {}
    with engine.connect() as conn:
        for table in schema.metadata.sorted_tables:
            if table.name in BOOKKEEPING:
                continue
            rows = [tuple(_plain(v) for v in row) for row in conn.execute(select(table))]
            state[table.name] = sorted(rows, key=repr)
    return state


def _plain(value):
    if isinstance(value, datetime):  # SQLite keeps naive UTC, PostgreSQL zoned moments
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    return value


def second_registry() -> bytes:
    """A later registry that changes everything a registry can change."""
    rows = registry_rows()
    rows[0][0] = "Губернатор Томской области В. В. Мазур"  # a renamed owner (a new name: a new owner)
    rows[1][3] = rows[2][3] = "1027000000009"  # the body's ОГРН
    rows[1][5] = "https://vk.com/club2002"  # its VK page by the numeric address (key and URL change)
    rows[1][18] = 5200  # unchanged subscribers: still a mark of the new date
    rows[2][6] = "5555"  # the Telegram page's id: adopts nothing (5555 is another page below)
    rows[3][2] = None  # the head loses its parent …
    rows[3][1] = "Исполнительный орган"  # … and becomes a body (kind changes)
    rows[4][10] = "нет"  # the institution's checklist changes
    rows.append(["Департамент здравоохранения Томской области", "Исполнительный орган", None, None, "Telegram",
                 "https://t.me/zdrav_tomsk", "7777", "01.01.2024", "да", "да", "да", "да", None, "да", "да", None,
                 "да", None, 2500, None])  # a new owner with a new page that adopts an unregistered channel
    rows.append(["Департамент здравоохранения Томской области", "Исполнительный орган", None, None, "ВКонтакте",
                 "https://vk.com/zdrav_tomsk", None, "01.01.2024", "да", "да", "да", "да", "да", "да", "да", "да",
                 "да", 1, 4000, None])  # and a page nothing else knows
    return registry_xlsx(rows)


def test_reverting_a_registry_batch_restores_every_table(registered):
    # activity before the batch: posts of a registered page, and a channel not in the registry yet (id 7777)
    ingest_bytes(registered, wall(10), "w.json", user="analyst")
    ingest_bytes(registered, to_json(tg_chat([tg_message(1, unix(2026, 10, 5))], chat_id=7777, name="Здравоохранение")),
                 "result.json", user="analyst")
    before = database_state(registered)
    report = ingest_bytes(registered, second_registry(), "реестр-2.xlsx", user="analyst", as_of=date(2026, 11, 1))
    assert report["owners_added"] == 2 and report["pages_added"] == 1 and report["pages_updated"] >= 2
    assert database_state(registered) != before
    result = revert_batch(registered, report["batch_id"], "analyst")
    assert database_state(registered) == before
    assert "владельцы и страницы возвращены к состоянию до загрузки" in result["message"]
    assert "публикаций" not in result["message"] and "эфиров" not in result["message"]
    assert (result["owners_deleted"], result["pages_deleted"]) == (2, 1)
    with pytest.raises(LoadError, match="уже отменён"):
        revert_batch(registered, report["batch_id"], "analyst")


def test_a_registry_batch_is_not_reverted_under_a_later_one_that_changed_the_same_rows(registered):
    rows = registry_rows()
    rows[1][3] = rows[2][3] = "1027000000009"
    second = ingest_bytes(registered, registry_xlsx(rows), "реестр-2.xlsx", user="analyst", as_of=date(2026, 11, 1))
    rows[1][3] = rows[2][3] = "1027000000010"
    third = ingest_bytes(registered, registry_xlsx(rows), "реестр-3.xlsx", user="analyst", as_of=date(2026, 11, 20))
    with pytest.raises(LoadError, match=rf"пакет реестра № {second['batch_id']} нельзя отменить: более поздние "
                                        rf"пакеты реестра \(№ {third['batch_id']}\) изменили тех же владельцев"):
        revert_batch(registered, second["batch_id"], "analyst")
    revert_batch(registered, third["batch_id"], "analyst")
    revert_batch(registered, second["batch_id"], "analyst")
    with registered.connect() as conn:
        ogrn = conn.execute(select(schema.owners.c.ogrn).where(schema.owners.c.ogrn.like("10270000000%"))).scalars()
        assert sorted(ogrn) == ["1027000000001", "1027000000002"]


def test_a_page_the_registry_added_keeps_its_exports_data_when_the_batch_is_reverted(registered):
    report = ingest_bytes(registered, second_registry(), "реестр-2.xlsx", user="analyst", as_of=date(2026, 11, 1))
    zdrav = page_id(registered, "https://vk.com/zdrav_tomsk")
    ingest_bytes(registered, vk_wall([]), "w.json", user="analyst", period=OCTOBER, page="https://vk.com/zdrav_tomsk")
    result = revert_batch(registered, report["batch_id"], "analyst")
    assert result["pages_kept"] == 1 and "оставлено вне реестра: 1" in result["message"]
    with registered.connect() as conn:
        kept = conn.execute(select(schema.pages).where(schema.pages.c.id == zdrav)).one()
    assert kept.owner_id is None and kept.url == "https://vk.com/zdrav_tomsk"


# --- 4. subscriber counts are observations ---------------------------------------------------------------------------

def groups_get_by_id(members: int) -> bytes:
    return to_json({"groups": [{"id": 2002, "name": "Департамент финансов", "screen_name": "depfin_tomsk",
                                "members_count": members}]})


def test_an_unchanged_subscriber_count_is_stored_as_a_mark_once(registered):
    dep = page_id(registered, DEPFIN_VK)
    report = ingest_bytes(registered, groups_get_by_id(5200), "groups.json", user="analyst", as_of=date(2026, 11, 20))
    assert report["snapshots_added"] == 1  # the registry said 5200 on 01.10: observed unchanged on 20.11
    again = ingest_bytes(registered, groups_get_by_id(5200), "groups.json", user="analyst", as_of=date(2026, 11, 20))
    assert again["batch_id"] is None
    history = snapshots_frame(registered).filter(pl_page(dep)).sort("as_of")
    assert history.select("as_of", "subscribers").rows() == [(date(2026, 10, 1), 5200), (date(2026, 11, 20), 5200)]
    # a file with no dated item and no stated day is observed when it was first uploaded: the same file again
    # adds no second mark
    first = ingest_bytes(registered, groups_get_by_id(5300), "g2.json", user="analyst")
    assert first["observed_source"] == "upload" and first["snapshots_added"] == 1
    assert ingest_bytes(registered, groups_get_by_id(5300), "g2.json", user="analyst")["batch_id"] is None


def test_an_older_snapshot_after_a_newer_one_changes_nothing_current(registered):
    dep = page_id(registered, DEPFIN_VK)
    ingest_bytes(registered, groups_get_by_id(6000), "dec.json", user="analyst", as_of=date(2026, 11, 20))
    older = ingest_bytes(registered, groups_get_by_id(5500), "nov.json", user="analyst", as_of=date(2026, 11, 10))
    assert older["snapshots_older_than_current"] == 1 and "старше уже загруженных" in older["older_note"]
    history = snapshots_frame(registered).filter(pl_page(dep)).sort("as_of")
    assert history["subscribers"].to_list()[-1] == 6000  # the latest stays the latest


def pl_page(page: int):
    import polars as pl
    return pl.col("page_id") == page


# --- 5. comment id conflicts ------------------------------------------------------------------------------------------

def discussion(comment_id: int, day: int, author: str) -> bytes:
    root = tg_message(1, unix(2026, 10, day), from_id="channel3003", forwarded_from="Департамент финансов")
    comment = tg_message(comment_id, unix(2026, 10, day, 13), from_id=author, reply_to_message_id=1)
    return to_json(tg_chat([root, comment], chat_type="public_supergroup", chat_id=9999, name="Обсуждение"))


def test_a_comment_id_with_another_date_or_author_is_a_reported_conflict(registered):
    first = ingest_bytes(registered, discussion(10, 5, "user77"), "d1.json", user="analyst")
    assert first["comments_added"] == 1 and first["comments_conflicts"] == {"count": 0, "examples": []}
    moved = ingest_bytes(registered, discussion(10, 20, "user88"), "d2.json", user="analyst")
    assert moved["comments_conflicts"]["count"] == 1
    assert moved["comments_conflicts"]["examples"] == [
        "комментарий id 10: в базе — от 05.10.2026 20:00, автор user77; в файле — от 20.10.2026 20:00, автор user88"]
    with registered.connect() as conn:
        comments = current_versions(conn, "comments")
        stored = conn.execute(select(schema.comments.c.batch_id)).scalars().all()
    assert comments.select("comment_id", "author_id").rows() == [("10", "user77")]
    assert stored == [first["batch_id"]]  # the conflicting one is not stored at all
    # the same comment seen again (same moment and author) is no conflict
    same = ingest_bytes(registered, discussion(10, 5, "user77"), "d1.json", user="analyst")
    assert same["comments_conflicts"]["count"] == 0 and same["batch_id"] is None


def test_the_demo_discussion_ids_never_restart():
    from demo.activity import simulate
    from demo.build import QUARTERS, SEED
    from demo.exports import telegram_channel, telegram_discussion
    from demo.world import build_world
    _, pages = build_world(SEED)
    telegram = [a for a in simulate(pages, SEED) if a.page.platform == "telegram"][:40]
    for activity in telegram:
        for export in (telegram_discussion, telegram_channel):
            seen: set[int] = set()
            for _, start, end in QUARTERS:
                content = export(activity, start, end)
                ids = [m["id"] for m in json.loads(content)["messages"]] if content else []
                assert not seen & set(ids), activity.page.key
                seen |= set(ids)


# --- the command line ---------------------------------------------------------------------------------------------------

def test_cli_as_of_page_and_registry_revert(tmp_path, sqlite_url):
    registry, newer, older, empty = (tmp_path / n for n in ("реестр.xlsx", "nov.json", "oct.json", "empty.json"))
    registry.write_bytes(registry_xlsx())
    newer.write_bytes(wall(50))
    older.write_bytes(wall(10))
    empty.write_bytes(vk_wall([]))
    registry_batch = json.loads(cli("ingest", str(registry), "--json", url=sqlite_url).stdout)["batch_id"]
    assert cli("ingest", str(newer), "--as-of", "2026-11-05", url=sqlite_url).returncode == 0
    result = cli("ingest", str(older), "--as-of", "2026-10-20", "--json", url=sqlite_url)
    report = json.loads(result.stdout)
    assert (report["observed_at"], report["older_than_current"], report["posts_updated"]) == (
        "2026-10-20T16:59:59Z", 5, 0)
    human = cli("ingest", str(older), "--as-of", "2026-10-21", url=sqlite_url).stdout
    assert "сведения на 21.10.2026 (указано при загрузке)" in human and "не заменено: публикаций 5" in human
    assert "обновлено 0" in human
    silent = cli("ingest", str(empty), "--page", DEPFIN_VK, "--period", "2026-10-01:2026-10-31", url=sqlite_url)
    assert silent.returncode == 0 and "страница https://vk.com/depfin_tomsk (указана при загрузке)" in silent.stdout
    two = cli("ingest", str(empty), str(older), "--page", DEPFIN_VK, url=sqlite_url)
    assert two.returncode == 2 and "--page относится к одному файлу" in two.stderr
    revert = cli("revert", str(registry_batch), url=sqlite_url)
    assert revert.returncode == 0 and "владельцы и страницы возвращены" in revert.stdout
    assert "публикаций" not in revert.stdout
    inspect = json.loads(cli("inspect", str(newer), "--json", url=sqlite_url).stdout)
    assert inspect["observed_at"] == "2026-10-15T12:00:00Z" and inspect["page_refs"][0]["id"] == "-2002"

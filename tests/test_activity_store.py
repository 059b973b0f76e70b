"""Activity batches on SQLite and the real PostgreSQL server: idempotence, overlap, revert, coverage, linking."""
from datetime import date

import pytest
from sqlalchemy import func, select

from loaders.errors import LoadError
from storage import schema
from storage.activity_store import current_versions, link_page, revert_batch
from storage.ingest import ingest_bytes
from storage.queries import coverage_frame, pages_frame, stats, unregistered_pages
from tests.factories import registry_xlsx, tg_chat, tg_message, to_json, unix, vk_post, vk_wall

AS_OF = date(2026, 10, 31)


@pytest.fixture
def registered(engine):
    ingest_bytes(engine, registry_xlsx(), "реестр.xlsx", user="analyst", as_of=date(2026, 10, 1))
    return engine


def table_counts(engine) -> dict:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (schema.pages, schema.posts, schema.live_streams, schema.comments, schema.batches,
                          schema.batch_coverage, schema.page_links, schema.audit_log)}


def current(engine, name: str = "posts"):
    with engine.connect() as conn:
        return current_versions(conn, name).sort(["page_id", current_versions(conn, name).columns[1]])


def october(likes: int = 10, ids=range(1, 6)) -> bytes:
    return vk_wall([vk_post(i, unix(2026, 10, i * 3), likes={"count": likes + i}) for i in ids])


def test_same_file_twice_changes_nothing(registered):
    first = ingest_bytes(registered, october(), "wall.json", user="analyst", as_of=AS_OF)
    assert (first["posts_added"], first["posts_updated"], first["unmatched_pages"]) == (5, 0, [])
    before = table_counts(registered)
    again = ingest_bytes(registered, october(), "wall.json", user="analyst", as_of=AS_OF)
    assert again["batch_id"] is None and again["status"] == "unchanged" and again["duplicate_of"] == first["batch_id"]
    assert (again["posts_added"], again["posts_updated"], again["unchanged"]) == (0, 0, 5)
    assert table_counts(registered) == before


def test_overlapping_exports_keep_one_row_with_the_latest_counters(registered):
    ingest_bytes(registered, october(likes=10, ids=range(1, 6)), "oct-1.json", user="analyst", as_of=AS_OF)
    report = ingest_bytes(registered, october(likes=50, ids=range(3, 9)), "oct-2.json", user="analyst",
                          as_of=date(2026, 11, 5))
    assert (report["posts_added"], report["posts_updated"], report["posts_unchanged"]) == (3, 3, 0)
    posts = current(registered)
    assert posts.height == 8 and posts["post_id"].n_unique() == 8
    likes = dict(zip(posts["post_id"], posts["likes"]))
    assert likes["1"] == 11 and likes["3"] == 53 and likes["8"] == 58
    assert stats(registered)["posts"] == 8


def test_revert_restores_what_the_batch_replaced(registered):
    ingest_bytes(registered, october(likes=10), "oct-1.json", user="analyst", as_of=AS_OF)
    before_posts, before_coverage = current(registered), coverage_frame(registered).drop("batch_id")
    second = ingest_bytes(registered, october(likes=90, ids=range(2, 8)), "oct-2.json", user="analyst",
                          as_of=date(2026, 11, 5))
    assert current(registered).height == 7
    result = revert_batch(registered, second["batch_id"], "analyst")
    assert result["posts"] == 6
    assert current(registered).equals(before_posts)
    assert coverage_frame(registered).drop("batch_id").equals(before_coverage)
    with pytest.raises(LoadError, match="уже отменён"):
        revert_batch(registered, second["batch_id"], "analyst")


def test_reverting_an_older_batch_keeps_what_a_newer_one_also_brought(registered):
    first = ingest_bytes(registered, october(likes=10), "oct-1.json", user="analyst", as_of=AS_OF)
    ingest_bytes(registered, october(likes=10, ids=range(1, 8)), "oct-full.json", user="analyst",
                 as_of=date(2026, 11, 5))
    revert_batch(registered, first["batch_id"], "analyst")
    assert current(registered).height == 7


def test_coverage_tells_no_data_from_zero_posts(registered):
    report = ingest_bytes(registered, vk_wall([]), "empty.json", user="analyst", as_of=AS_OF,
                          period=(date(2026, 10, 1), date(2026, 10, 31)))
    assert report["batch_id"] is None  # an empty wall of a page nobody can match: nothing to write
    wall = vk_wall([vk_post(1, unix(2026, 10, 10))])
    report = ingest_bytes(registered, wall, "wall.json", user="analyst", as_of=AS_OF,
                          period=(date(2026, 10, 1), date(2026, 10, 31)))
    coverage = coverage_frame(registered)
    assert coverage.select("data_kind", "date_from", "date_to").rows() == [("posts", date(2026, 10, 1),
                                                                           date(2026, 10, 31))]
    assert report["period"] == ["2026-10-01", "2026-10-31"]
    # the same posts for a longer period: nothing changed but the file covers more days, so it is a batch
    longer = ingest_bytes(registered, wall, "wall.json", user="analyst", as_of=AS_OF,
                          period=(date(2026, 9, 1), date(2026, 10, 31)))
    assert longer["batch_id"] is not None and longer["posts_unchanged"] == 1


def test_pages_match_by_screen_name_and_are_remembered(registered):
    # the registry knows the Governor's page by screen name and id 1001; this page is only known by name
    wall = vk_wall([vk_post(1, unix(2026, 10, 3), owner_id=-777)], groups=[
        {"id": 777, "name": "Губернатор", "screen_name": "gubernator_tomsk"}])
    report = ingest_bytes(registered, wall, "ext.json", user="analyst", as_of=AS_OF)
    assert report["unmatched_pages"] == [] and report["posts_added"] == 1
    plain = vk_wall([vk_post(2, unix(2026, 10, 4), owner_id=-777)])  # no `groups`: matched by the learned id
    assert ingest_bytes(registered, plain, "plain.json", user="analyst", as_of=AS_OF)["unmatched_pages"] == []


def test_unregistered_telegram_channel_is_kept_listed_and_linked(registered):
    export = to_json(tg_chat([tg_message(1, unix(2026, 10, 5)), tg_message(2, unix(2026, 10, 6))], chat_id=5555,
                             name="Департамент финансов Томской области"))
    report = ingest_bytes(registered, export, "result.json", user="analyst", as_of=AS_OF)
    assert report["posts_added"] == 2 and len(report["unmatched_pages"]) == 1
    pending = unregistered_pages(registered)
    assert pending[0]["platform_id"] == "5555" and pending[0]["title"].startswith("Департамент финансов")
    suggestion = pending[0]["suggestions"][0]
    registry = pages_frame(registered)
    target = registry.filter(registry["platform"] == "telegram")["page_id"].item()
    assert suggestion["page_id"] == target  # the closest title is the department's channel
    assert stats(registered)["unregistered_pages"] == 1 and stats(registered)["pages"]["telegram"] == 1
    link_page(registered, pending[0]["page_id"], target, "analyst")
    assert unregistered_pages(registered) == []
    posts = current(registered)
    assert posts["page_id"].unique().to_list() == [target] and posts.height == 2
    later = to_json(tg_chat([tg_message(3, unix(2026, 10, 7))], chat_id=5555))
    assert ingest_bytes(registered, later, "result.json", user="analyst", as_of=AS_OF)["unmatched_pages"] == []


def test_bad_file_writes_nothing(registered):
    before = table_counts(registered)
    bad = vk_wall([vk_post(1, unix(2026, 10, 3)), vk_post(2, unix(2031, 1, 1))])
    with pytest.raises(LoadError, match="запись 2 \\(id 2\\), поле «date»: дата публикации .* ещё не наступила"):
        ingest_bytes(registered, bad, "wall.json", user="analyst", as_of=AS_OF)
    assert table_counts(registered) == before


def test_streams_and_comments_are_versioned_too(registered):
    t = unix(2026, 10, 5)
    live = vk_post(1, t, attachments=[{"type": "video", "video": {"type": "live", "title": "Прямой эфир"}}])
    report = ingest_bytes(registered, vk_wall([live]), "live.json", user="analyst", as_of=AS_OF)
    assert report["streams_added"] == 1
    comments = to_json({"count": 1, "items": [{"id": 10, "from_id": 5, "date": t + 60, "post_id": 1,
                                               "owner_id": -2002, "parents_stack": []}]})
    report = ingest_bytes(registered, comments, "comments.json", user="analyst", as_of=AS_OF)
    assert report["comments_added"] == 1 and report["coverage"][0]["data_kind"] == "comments"
    assert current(registered, "streams").height == 1 and current(registered, "comments").height == 1

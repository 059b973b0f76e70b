"""Several users at once (issue 16 §2–3), with threads, on the real PostgreSQL and on SQLite: the same file uploaded
four times at once is one batch; uploads naming the same new page all succeed; approvals of a quarter are
serialised (one wins, the others are told in Russian); an approval made while uploads run freezes exactly the
batches it lists; a quarter is read at one moment of the database."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from core.calendar import Quarter
from storage import schema
from storage.ingest import ingest_bytes
from tests.factories import registry_xlsx, unix, vk_post, vk_wall

TODAY = date(2026, 11, 30)
Q3 = Quarter(2026, 3)


def at_once(count: int, work) -> list:
    """`work(i)` in `count` threads released together; results (or raised exceptions) in order."""
    barrier = threading.Barrier(count)

    def run(i):
        barrier.wait()
        try:
            return work(i)
        except Exception as error:  # noqa: BLE001 — the test looks at what each thread met
            return error
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def count(engine, table, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def wall(first_id: int, n: int, owner_id: int = -2002, month: int = 7) -> bytes:
    """`n` posts of a wall with ids from `first_id`, in the middle of III кв. 2026 (never near its edges)."""
    return vk_wall([vk_post(i, unix(2026, month, 6 + i % 60 // 3, 6 + i % 12), owner_id=owner_id)
                    for i in range(first_id, first_id + n)])


def test_the_same_file_uploaded_four_times_at_once_is_one_batch(engine):
    ingest_bytes(engine, registry_xlsx(), "реестр.xlsx", user="тест")
    content = wall(1, 40)
    reports = at_once(4, lambda i: ingest_bytes(engine, content, f"wall-{i}.json", user=f"аналитик {i}"))
    assert not [r for r in reports if isinstance(r, Exception)], reports
    stored = [r["batch_id"] for r in reports if r["batch_id"] is not None]
    assert len(stored) == 1
    assert all(r["status"] == "unchanged" and r["duplicate_of"] == stored[0] for r in reports
               if r["batch_id"] is None)
    assert count(engine, schema.batches, schema.batches.c.kind == "activity") == 1
    assert count(engine, schema.posts) == 40


def test_the_same_registry_uploaded_four_times_at_once_is_one_batch(engine):
    content = registry_xlsx()
    reports = at_once(4, lambda i: ingest_bytes(engine, content, "реестр.xlsx", user=f"аналитик {i}"))
    assert not [r for r in reports if isinstance(r, Exception)], reports
    assert count(engine, schema.batches) == 1 and count(engine, schema.pages) == 5


def test_uploads_naming_the_same_new_pages_at_once_all_succeed(engine):
    """Four files, each with posts of two pages the registry does not know (in either order): every upload is
    stored, each new page exists once."""
    ingest_bytes(engine, registry_xlsx(), "реестр.xlsx", user="тест")

    def upload(i: int) -> dict:
        pages = (-777, -778) if i % 2 else (-778, -777)
        items = [vk_post(100 * i + k, unix(2026, 7, 10 + k), owner_id=owner) for owner in pages for k in range(3)]
        return ingest_bytes(engine, vk_wall(items), f"new-{i}.json", user=f"аналитик {i}")
    reports = at_once(4, upload)
    assert not [r for r in reports if isinstance(r, Exception)], reports
    assert all(r["batch_id"] is not None for r in reports)
    p = schema.pages
    assert count(engine, p, p.c.platform_id.in_(["-777", "-778"])) == 2
    assert count(engine, schema.posts) == 4 * 6


def test_approvals_of_a_quarter_at_once_one_wins_the_others_are_told(engine):
    from services.quarters import ApprovalError, approve
    ingest_bytes(engine, registry_xlsx(), "реестр.xlsx", user="тест")
    ingest_bytes(engine, wall(1, 30), "q3.json", user="тест")
    ingest_bytes(engine, wall(1000, 30, month=4), "q2.json", user="тест")
    results = at_once(4, lambda i: approve(engine, Q3, f"аналитик {i}", accept_gaps=True, today=TODAY))
    won = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if not isinstance(r, dict)]
    assert len(won) == 1 and len(refused) == 3
    assert all(isinstance(r, ApprovalError) and "уже утверждён" in str(r) for r in refused), refused
    # two quarters at once record the same methodology version once, and both are approved
    from services.quarters import unapprove
    unapprove(engine, Q3, "админ", "проверка одновременного утверждения")
    both = at_once(2, lambda i: approve(engine, (Q3, Quarter(2026, 2))[i], "аналитик", accept_gaps=True,
                                        today=TODAY))
    assert all(isinstance(r, dict) for r in both), both
    assert count(engine, schema.rating_approvals) == 2 and count(engine, schema.methodology_versions) == 1


def frozen_posts(payload: dict) -> int:
    return sum(p for page in payload["pages"] for p in page["weekly_posts"] if p)


def stored_posts(engine, batch_ids: list[int]) -> int:
    """Posts of registry pages in the listed batches (all of them fall inside III кв. 2026)."""
    posts, pages = schema.posts, schema.pages
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(posts.join(pages, pages.c.id == posts.c.page_id)).where(
            posts.c.batch_id.in_(batch_ids), pages.c.owner_id.is_not(None))).scalar_one()


@pytest.mark.postgres
def test_an_approval_during_uploads_freezes_exactly_the_batches_it_lists(pg_url):
    """Uploads keep committing while the quarter is approved (and withdrawn, and approved again): each approval's
    frozen rows count exactly the posts of the batches it lists — none of a batch it does not list, all of every
    batch it lists."""
    from services.quarters import approve, unapprove
    from storage.db import make_engine
    engine = make_engine(pg_url)
    ingest_bytes(engine, registry_xlsx(), "реестр.xlsx", user="тест")
    ingest_bytes(engine, wall(1, 20), "начало.json", user="тест")
    stop = threading.Event()
    failures: list[Exception] = []

    def keep_uploading(worker: int) -> None:
        n = 0
        while not stop.is_set():
            try:
                ingest_bytes(engine, wall(10_000 * (worker + 1) + 3 * n, 3), f"поток-{worker}-{n}.json",
                             user=f"поток {worker}")
            except Exception as error:  # noqa: BLE001
                failures.append(error)
            n += 1
    threads = [threading.Thread(target=keep_uploading, args=(w,)) for w in range(3)]
    for thread in threads:
        thread.start()
    try:
        checks = []
        for attempt in range(4):
            frozen = approve(engine, Q3, "аналитик", accept_gaps=True, today=TODAY)
            listed = frozen["approved"]["batch_ids"]
            checks.append((len(listed), frozen_posts(frozen), stored_posts(engine, listed)))
            unapprove(engine, Q3, "админ", f"повтор {attempt}")
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert failures == []
    assert all(frozen == stored for _, frozen, stored in checks), checks
    assert checks[-1][0] > checks[0][0]  # uploads did commit while the quarter was being approved
    engine.dispose()


def test_a_quarter_is_read_at_one_moment_while_uploads_commit(engine):
    """read_quarter: every post it returns is of a batch it lists, and every listed batch's posts are there."""
    from storage.rating_store import read_quarter
    ingest_bytes(engine, registry_xlsx(), "реестр.xlsx", user="тест")
    span = (datetime(2026, 6, 1, tzinfo=timezone.utc), datetime(2026, 10, 1, tzinfo=timezone.utc))
    stop = threading.Event()

    def keep_uploading() -> None:
        n = 0
        while not stop.is_set():
            ingest_bytes(engine, wall(50_000 + 2 * n, 2), f"поток-{n}.json", user="поток")
            n += 1
    thread = threading.Thread(target=keep_uploading)
    thread.start()
    try:
        readings = []
        for _ in range(15):
            stored = read_quarter(engine, span)
            readings.append((set(stored.posts["batch_id"].to_list()), set(stored.batch_ids), stored.posts.height))
    finally:
        stop.set()
        thread.join()
    for seen, listed, height in readings:
        activity = listed - {1}  # batch 1: the registry
        assert seen == activity, (seen, listed)
        assert height == 2 * len(activity)

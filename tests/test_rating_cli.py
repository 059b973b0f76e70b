"""The rating through the real path: registry template + VK and Telegram exports → `ingest` → `rate --json`,
with values computed by hand; approval freezes the quarter (SQLite via the CLI, PostgreSQL in-process)."""
import json
from datetime import date, datetime, timedelta, timezone

import pytest

from core.calendar import Quarter
from tests.factories import registry_xlsx, tg_chat, tg_message, tg_service, to_json, vk_post, vk_wall
from tests.test_cli import cli

WEEKS = Quarter(2026, 1).weeks()


def _local_noon(day: date, offset_days: int = 0) -> int:
    """Unix seconds of 12:00 Tomsk time (UTC+7) on `day` + offset."""
    moment = datetime(day.year, day.month, day.day, 5, tzinfo=timezone.utc) + timedelta(days=offset_days)
    return int(moment.timestamp())


def depfin_wall(per_week: list[int], start_id: int = 1) -> bytes:
    """The Department of finance's VK wall (owner -2002): `per_week[i]` own posts in week i of I кв. 2026."""
    items, ident = [], start_id
    for week, n in zip(WEEKS, per_week):
        for k in range(n):
            items.append(vk_post(ident, _local_noon(week, 1 + k)))
            ident += 1
    return vk_wall(items[::-1])


def depfin_channel() -> bytes:
    """Its Telegram channel (3003): five posts in February and a live stream (group call) on 10.02.2026."""
    start = _local_noon(date(2026, 2, 10))
    messages = [tg_message(i, _local_noon(date(2026, 2, 2), i)) for i in range(1, 6)]
    messages += [tg_service(10, start, "group_call"), tg_service(11, start + 1800, "group_call", duration=1800)]
    return to_json(tg_chat(messages))


@pytest.fixture
def rated_db(tmp_path, sqlite_url):
    files = {"реестр.xlsx": registry_xlsx(), "wall.json": depfin_wall([3] * 5 + [1] + [3] * 5 + [1] + [3]),
             "result.json": depfin_channel()}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
        result = cli("ingest", str(tmp_path / name), "--json", url=sqlite_url)
        assert result.returncode == 0, result.stderr
    return sqlite_url


def _rate(url, *extra):
    result = cli("rate", "--quarter", "2026Q1", "--json", *extra, url=url)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_rate_json_hand_computed_page_and_composite(rated_db):
    payload = _rate(rated_db)
    assert payload["quarter"] == "2026Q1" and payload["methodology"] == "cur-tomsk-default-v1"
    assert {"bodies", "institutions", "heads", "pages"} <= set(payload) and payload["approved"] is None
    pages = {p["url"]: p for p in payload["pages"]}
    vk = pages["https://vk.com/depfin_tomsk"]
    ind = vk["indicators"]
    assert set(ind) == {"A1", "A2", "A3", "A4", "A5", "B1", "B2", "B3", "C1", "C2", "D1", "D2", "E1", "E2"}
    assert set(ind["A1"]) >= {"value", "points", "weight", "na_reason"}
    # registry: cover «нет», moderation rules «нет», 4 of 6 items present; 1 ПОС widget → 0.5
    assert ind["A3"]["value"] == pytest.approx(4 / 6) and ind["A5"]["value"] == 0.5
    # 11 of 13 weeks with ≥ 3 posts; 35 posts of 3 × 13 = 39; the stream was on the Telegram channel
    assert ind["B1"]["value"] == pytest.approx(11 / 13) and ind["B2"]["value"] == pytest.approx(35 / 39)
    assert ind["B3"]["value"] == 1.0
    # alone in its peer group (executive body × VK): percentiles 1.0; VR = 300 / 5200, ER = 13 / 300
    assert ind["C1"]["raw"] == pytest.approx(300 / 5200) and ind["C1"]["value"] == 1.0
    assert ind["D1"]["raw"] == pytest.approx(13 / 300) and ind["D2"]["value"] == 1.0
    assert ind["C2"]["value"] is None and ind["C2"]["na_reason"]  # one subscriber mark
    assert ind["E1"]["value"] is None and "комментариев" in ind["E1"]["na_reason"]
    a = 6 + 4 + 8 * 4 / 6 + 3 + 4 * 0.5
    b = 20 * 11 / 13 + 5 * 35 / 39 + 5
    assert vk["score"] == pytest.approx(100 * (a + b + 10 + 15) / 80)
    tg = pages["https://t.me/depfin_tomsk"]
    assert tg["indicators"]["B1"]["value"] is None and "не оценивается" in tg["indicators"]["B1"]["na_reason"]
    body = next(r for r in payload["bodies"] if r["owner"] == "Департамент финансов Томской области")
    # the Telegram channel proves only one week (02.02 … 06.02): «не оценивается», no score, left out of the owner;
    # no Odnoklassniki page → 0 (methodology.md §4)
    assert tg["score"] is None and tg["not_rated_reason"].startswith("данные покрывают только 1 нед.")
    owner = (vk["score"] + 0) / 2
    assert body["body_score"] == pytest.approx(owner) and body["rank"] == 1
    assert (body["rated_pages"], body["pages_total"], body["completeness"]) == (1, 2, "оценено 1 из 2 стр.; без "
                                                                                "оценки: руководитель, учреждения")
    # the head's and the institution's pages have no activity data: not rated, no place; the composite drops them
    head, institution = payload["heads"][0], payload["institutions"][0]
    for row in (head, institution):
        assert row["score"] is None and row["rank"] is None and row["zone"] is None
        assert row["not_rated_reason"] == "нет оценённых страниц (нет данных об активности за квартал)"
    assert body["score"] == pytest.approx(owner) and body["missing_parts"] == ["head", "institutions"]
    assert body["zone"] in ("высокий", "средний", "низкий", "критический")
    assert [r["owner"] for r in payload["reference"]] == ["Губернатор Томской области"]


def test_approval_freezes_the_quarter(rated_db, tmp_path):
    before = _rate(rated_db)
    refused = cli("approve", "--quarter", "2026Q1", url=rated_db)  # gaps not acknowledged
    assert refused.returncode != 0 and "--accept-gaps" in refused.stderr and "страниц без оценки — 4" in refused.stderr
    result = cli("approve", "--quarter", "2026Q1", "--accept-gaps", url=rated_db)
    assert result.returncode == 0, result.stderr
    assert "Рейтинг за I кв. 2026 утверждён" in result.stdout, result.stdout
    again = cli("approve", "--quarter", "2026Q1", "--accept-gaps", url=rated_db)
    assert again.returncode != 0 and "уже утверждён" in again.stderr
    more = tmp_path / "wall2.json"
    more.write_bytes(depfin_wall([0] * 5 + [3] + [0] * 5 + [3] + [0], start_id=1000))  # fills the two weak weeks
    assert cli("ingest", str(more), url=rated_db).returncode == 0
    frozen = _rate(rated_db)
    assert frozen["approved"]["approved_by"] and frozen["bodies"] == before["bodies"]
    assert frozen["pages"] == before["pages"]
    fresh = _rate(rated_db, "--fresh")
    vk = next(p for p in fresh["pages"] if p["url"] == "https://vk.com/depfin_tomsk")
    assert vk["indicators"]["B1"]["value"] == 1.0
    compared = _rate(rated_db, "--compare")
    assert any(d["owner"] == "Департамент финансов Томской области" for d in compared["differences"])


def test_rate_text_output_and_bad_quarter(rated_db):
    result = cli("rate", "--quarter", "2026Q1", url=rated_db)
    assert result.returncode == 0 and "Рейтинг за I кв. 2026" in result.stdout
    bad = cli("rate", "--quarter", "2026Q7", url=rated_db)
    assert bad.returncode != 0 and bad.stderr.startswith("Ошибка: неверное обозначение квартала")


def test_approval_on_both_databases(engine):
    from storage.ingest import ingest_bytes
    from services.quarters import approve, fresh_rating
    from storage.rating_store import approved_payload
    from scoring.payload import rating_payload
    for name, content in (("реестр.xlsx", registry_xlsx()), ("wall.json", depfin_wall([3] * 11 + [1] + [3]))):
        ingest_bytes(engine, content, name, user="тест")
    quarter = Quarter(2026, 1)
    assert approved_payload(engine, quarter.code) is None
    frozen = approve(engine, quarter, "аналитик", accept_gaps=True)
    assert frozen["approved"]["approved_by"] == "аналитик" and frozen["bodies"]
    ingest_bytes(engine, depfin_wall([0] * 11 + [2], start_id=500), "wall2.json", user="тест")
    assert approved_payload(engine, quarter.code) == frozen  # read back unchanged
    fresh = rating_payload(fresh_rating(engine, quarter))
    assert fresh["bodies"] != frozen["bodies"]


def template_xlsx() -> bytes:
    """The §11 activity template: the department's VK page, 3 posts a week with 200 views each, and comments:
    users' 1–4 with the page's replies to 1 (after 2 h) and 2 (after 30 h), 3 and 4 unanswered."""
    import io

    import openpyxl
    book = openpyxl.Workbook()
    posts = book.active
    posts.title = "Публикации"
    posts.append(["Ссылка на страницу", "Ссылка на публикацию", "Дата и время", "Тип", "Просмотры", "Реакции",
                  "Комментарии", "Репосты"])
    ident = 1
    for week in WEEKS:
        for k in range(3):
            day = week + timedelta(days=1 + k)
            posts.append(["https://vk.com/depfin_tomsk", f"https://vk.com/wall-2002_{ident}",
                          f"{day:%d.%m.%Y} 12:00", "фото", 200, 8, 1, 1])
            ident += 1
    comments = book.create_sheet("Комментарии")
    comments.append(["Ссылка на публикацию", "Дата комментария", "Автор — страница (да/нет)",
                     "Ответ на (id комментария)", "ID комментария"])
    for cid, when, by_page, parent in (("c1", "10.02.2026 10:00", "нет", None), ("c2", "10.02.2026 11:00", "нет", None),
                                       ("c3", "11.02.2026 09:00", "нет", None), ("c4", "12.02.2026 09:00", "нет", None),
                                       ("r1", "10.02.2026 12:00", "да", "c1"), ("r2", "11.02.2026 17:00", "да", "c2")):
        comments.append(["https://vk.com/wall-2002_20", when, by_page, parent, cid])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_activity_template_feeds_regularity_and_replies(tmp_path, sqlite_url):
    for name, content in (("реестр.xlsx", registry_xlsx()), ("активность.xlsx", template_xlsx())):
        (tmp_path / name).write_bytes(content)
        result = cli("ingest", str(tmp_path / name), "--json", url=sqlite_url)
        assert result.returncode == 0, result.stderr
    vk = next(p for p in _rate(sqlite_url)["pages"] if p["url"] == "https://vk.com/depfin_tomsk")
    ind = vk["indicators"]
    assert ind["B1"]["value"] == 1.0 and vk["weeks"] == 13 and vk["posts"] == 39
    # 4 users' comments, 2 answered: 0.5 / 0.9; replies after 2 h and 30 h → median 16 h → 0.5 (≤ 24 h)
    assert ind["E1"]["value"] == pytest.approx(0.5 / 0.9) and ind["E2"]["value"] == 0.5
    assert ind["D2"]["raw"] == pytest.approx(4 / 39)  # users' comments per post from the comment sheet
    assert ind["D1"]["raw"] == pytest.approx((8 + 1 + 1) / 200)


def test_only_an_ended_quarter_with_data_is_approved_and_an_admin_can_withdraw(engine):
    from services.quarters import ApprovalError, approve, unapprove
    from storage.ingest import ingest_bytes
    from storage.rating_store import approved_payload, withdrawals
    for name, content in (("реестр.xlsx", registry_xlsx()), ("wall.json", depfin_wall([3] * 13))):
        ingest_bytes(engine, content, name, user="тест")
    q1 = Quarter(2026, 1)
    # the running quarter: refused, with the first day it can be approved
    with pytest.raises(ApprovalError, match="ещё не закончился: утвердить рейтинг можно с 01.04.2026"):
        approve(engine, q1, "аналитик", accept_gaps=True, today=date(2026, 3, 20))
    # a quarter without uploaded activity: no rating, nothing to approve
    with pytest.raises(ApprovalError, match="нет загруженных выгрузок активности"):
        approve(engine, Quarter(2025, 3), "аналитик", accept_gaps=True, today=date(2026, 11, 30))
    frozen = approve(engine, q1, "аналитик", accept_gaps=True, today=date(2026, 4, 1))
    assert frozen["gaps"]["pages_not_rated"] == 4 and frozen["has_data"] is True
    with pytest.raises(ApprovalError, match="причину"):
        unapprove(engine, q1, "админ", "  ")
    withdrawn = unapprove(engine, q1, "админ", "ошибка в реестре")
    assert withdrawn["approved_by"] == "аналитик" and approved_payload(engine, q1.code) is None
    assert [w["reason"] for w in withdrawals(engine, q1.code)] == ["ошибка в реестре"]
    with pytest.raises(ApprovalError, match="не утверждён"):
        unapprove(engine, q1, "админ", "ещё раз")
    again = approve(engine, q1, "аналитик", accept_gaps=True, today=date(2026, 4, 1))  # can be approved anew
    assert again["approved"]["approved_by"] == "аналитик"


def test_rate_says_a_quarter_without_data_has_no_rating(rated_db):
    result = cli("rate", "--quarter", "2025Q3", url=rated_db)
    assert result.returncode == 0, result.stderr
    assert "За III кв. 2025 нет загруженных выгрузок активности: рейтинга нет." in result.stdout
    assert "Исполнительные органы" not in result.stdout
    payload = json.loads(cli("rate", "--quarter", "2025Q3", "--json", url=rated_db).stdout)
    assert payload["has_data"] is False
    for name in ("bodies", "institutions", "heads"):
        assert payload[name] and all(r["rank"] is None and r["score"] is None and r["zone"] is None
                                     and r["not_rated_reason"] for r in payload[name]), name
    refused = cli("approve", "--quarter", "2025Q3", "--accept-gaps", url=rated_db)
    assert refused.returncode != 0 and "нет загруженных выгрузок активности" in refused.stderr
    running = cli("approve", "--quarter", "2026Q4", "--accept-gaps", url=rated_db)
    assert running.returncode != 0 and "ещё не закончился" in running.stderr

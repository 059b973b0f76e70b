"""One builder of test inputs, reused by unit, storage, CLI, AppTest and browser tests."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

from reports.registry_template import TEMPLATE_HEADERS, registry_workbook

HEADERS = [h for h, *_ in TEMPLATE_HEADERS]


def registry_rows() -> list[list]:
    """A small registry: a body with its head and one institution, the governor; gaps on purpose."""
    body = "Департамент финансов Томской области"
    return [
        ["Губернатор Томской области", "Губернатор", None, None, "ВКонтакте", "https://vk.com/gubernator_tomsk",
         "1001", "01.06.2023", "да", "да", "да", "да", "да", "да", "да", "да", "да", 2, 150000, None],
        [body, "Исполнительный орган", None, "1027000000001", "ВКонтакте", "https://vk.com/depfin_tomsk", "2002",
         "15.03.2023", "да", "да", "да", "да", "нет", "да", "да", "нет", "да", 1, 5200, "Иванова А.А."],
        [body, "Исполнительный орган", None, "1027000000001", "Telegram", "https://t.me/depfin_tomsk", "3003",
         "15.03.2023", "да", "нет", "да", "да", None, "да", "да", None, "да", None, 1800, None],
        ["Петров Сергей Иванович, начальник Департамента финансов", "Руководитель", body, None, "ВКонтакте",
         "vk.com/id4004", None, "01.09.2023", "нет", "нет", "да", "да", "нет", "да", "нет", "нет", "нет", 0, 900,
         None],
        ["ОГКУ «Центр бухгалтерского обслуживания»", "Учреждение", body, "1027000000002", "Одноклассники",
         "https://ok.ru/group/70000000000001", None, "10.10.2023", "да", "да", "да", "да", "да", "да", "да", "да",
         "да", 2, 300, None],
    ]


def registry_xlsx(rows: list[list] | None = None) -> bytes:
    return registry_workbook(registry_rows() if rows is None else rows)


def registry_csv(rows: list[list] | None = None, encoding: str = "utf-8-sig", delimiter: str = ";") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(HEADERS)
    for row in (registry_rows() if rows is None else rows):
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode(encoding)


# --- activity exports (formats.md §1–3, §11), pages of the registry above ---

def unix(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, tzinfo=timezone.utc).timestamp())


def vk_post(post_id: int, date: int, owner_id: int = -2002, from_id: int | None = None, **extra) -> dict:
    """A wall.get item as VK returns it (own post unless `from_id` says otherwise)."""
    return {"id": post_id, "owner_id": owner_id, "from_id": owner_id if from_id is None else from_id, "date": date,
            "post_type": "post", "text": f"Публикация {post_id}", "attachments": [],
            "comments": {"count": 1}, "likes": {"count": 10}, "reposts": {"count": 2}, "views": {"count": 300},
            **extra}


def vk_wall(items: list[dict], envelope: bool = False, groups: list[dict] | None = None) -> bytes:
    body = {"count": len(items), "items": items}
    if groups is not None:
        body |= {"groups": groups, "profiles": []}
    return json.dumps({"response": body} if envelope else body, ensure_ascii=False).encode()


def tg_message(message_id: int, moment: int | None, text: str | list = "Новость", **extra) -> dict:
    message = {"id": message_id, "type": "message", "from": "Департамент финансов", "from_id": "channel3003",
               "text": text, "text_entities": []}
    if moment is not None:
        message |= {"date": datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"),
                    "date_unixtime": str(moment)}
    return message | extra


def tg_service(ident: int, date: int, action: str, **extra) -> dict:
    return {"id": ident, "type": "service", "date_unixtime": str(date), "actor": "Департамент финансов",
            "actor_id": "channel3003", "action": action, "text": "", "text_entities": [], **extra}


def tg_chat(messages: list[dict], chat_type: str = "public_channel", chat_id: int = 3003,
            name: str = "Департамент финансов Томской области") -> dict:
    return {"name": name, "type": chat_type, "id": chat_id, "messages": messages}


def to_json(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


# --- scoring inputs built directly (pure scoring tests; hand-computed expectations) ---

def scoring_input(owners: list[dict], pages: list[dict], posts: list[dict] = (), coverage: list[dict] = (),
                  snapshots: list[dict] = (), streams: list[dict] = (), comments: list[dict] = ()):
    """ScoringInput from short dict rows; omitted columns are null. Times are UTC datetimes."""
    import polars as pl

    from scoring.inputs import COMMENT_COLUMNS, POST_COLUMNS, STREAM_COLUMNS, ScoringInput
    from storage.queries import COVERAGE_SCHEMA, OWNER_SCHEMA, PAGE_SCHEMA, SNAPSHOT_SCHEMA

    def frame(rows, schema, defaults=None):
        full = [{k: {**(defaults or {}), **r}.get(k) for k in schema} for r in rows]
        return pl.DataFrame(full, schema=schema, orient="row") if full else pl.DataFrame(schema=schema)

    return ScoringInput(
        owners=frame(owners, OWNER_SCHEMA), pages=frame(pages, PAGE_SCHEMA, {"page_key": "k", "url": "u"}),
        snapshots=frame(snapshots, SNAPSHOT_SCHEMA, {"batch_id": 1}),
        posts=frame(posts, POST_COLUMNS, {"is_repost": False, "is_live": False}),
        streams=frame(streams, STREAM_COLUMNS), comments=frame(comments, COMMENT_COLUMNS),
        coverage=frame(coverage, COVERAGE_SCHEMA, {"batch_id": 1}))


def local_dt(year: int, month: int, day: int, hour: int = 12):
    """A moment given in Tomsk time (UTC+7), as UTC."""
    from datetime import timedelta
    return datetime(year, month, day, hour, tzinfo=timezone.utc) - timedelta(hours=7)

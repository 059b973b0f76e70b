"""The «Администрирование» screen's data (issue 18): the users with their roles, body bindings, state and open
sessions; the audit log filtered by period, users and actions, in Russian, and its CSV export. Changes go through
storage.users (each audited); an admin cannot take away the last admin."""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import polars as pl
from sqlalchemy import Engine

from core.calendar import Quarter
from core.labels import PLATFORM_LABELS, label
from loaders.detect import FORMAT_LABELS
from services.registry import FIELD_LABELS
from storage import queries, sessions, users

ACTION_LABELS = {
    "upload": "загрузка файла", "revert": "отмена пакета", "edit": "правка реестра", "edit_refused": "правка отклонена",
    "approve": "утверждение рейтинга", "unapprove": "отзыв утверждения", "login": "вход", "logout": "выход",
    "session_end": "сеанс завершён", "user": "пользователь создан или изменён", "user_role": "смена роли",
    "user_password": "смена пароля", "user_disable": "пользователь отключён", "user_enable": "пользователь включён",
    "report_send": "рассылка отчёта", "report_send_failed": "рассылка не удалась", "methodology": "методика"}


# the audit details (storage write_audit's JSON) in Russian: a key's label, then its value as a user reads it
DETAIL_LABELS = {
    "filename": "файл", "format": "формат", "kind": "вид", "batch_id": "пакет", "batches": "пакеты",
    "changes": "изменения", "checklist": "чек-лист", "checklist_before": "чек-лист до правки", "checked_on": "проверено",
    "linked_page": "присоединена страница", "linked": "присоединено", "page_id": "страница", "platform": "платформа",
    "platform_id": "ID на платформе", "role": "роль", "was": "было", "body": "орган", "was_body": "был орган",
    "oidc": "вход через OIDC", "created": "создан", "rehashed": "пароль перехеширован",
    "sessions_ended": "завершено сеансов", "success": "успешно", "refused": "отказ", "address": "адрес",
    "username_length": "длина имени", "wait_minutes": "ждать минут", "reason": "причина", "methodology": "методика",
    "rows": "строк", "approved_at": "утверждено", "approved_by": "утвердил", "status": "состояние",
    "to": "кому", "subject": "тема", "attachments": "вложения", "targets": "адресаты", "message": "сообщение",
    "smtp": "почтовый сервер"}
DETAIL_VALUES = {"activity": "выгрузка активности", "registry": "реестр", "username": "неизвестное имя",
                 "lockout": "блокировка после неудачных попыток", "password": "пароль"} | users.ROLE_LABELS
OBJECT_LABELS = {"batch": "пакет", "page": "страница", "owner": "владелец", "registry": "реестр"}


def _detail_key(key: str) -> str:
    """A detail's or a changed registry field's name in Russian (the registry history's labels)."""
    return DETAIL_LABELS.get(key) or FIELD_LABELS.get(key) or label(key)


def _detail_value(key: str, value, pair: bool = False) -> str:
    """`pair`: the value is a registry edit's [before, after] (the entries of «changes»)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, dict):
        return "; ".join(f"{_detail_key(k)}: {_detail_value(k, v, pair=key == 'changes')}" for k, v in value.items())
    if isinstance(value, list):
        return (" → " if pair else ", ").join(_detail_value(key, v) for v in value)
    if key == "format":
        return FORMAT_LABELS.get(value, value)
    if key == "platform":
        return PLATFORM_LABELS.get(value, value)
    return DETAIL_VALUES.get(value, str(value)) if isinstance(value, str) else str(value)


def details_text(details: str | None) -> str:
    """«файл: реестр.xlsx; формат: …; вид: реестр» from the stored JSON (an empty record: «—»)."""
    try:
        parsed = json.loads(details) if details else {}
    except ValueError:
        return details or "—"
    if not isinstance(parsed, dict) or not parsed:
        return "—"
    return "; ".join(f"{_detail_key(k)}: {_detail_value(k, v)}" for k, v in parsed.items())


def object_text(obj: str | None) -> str:
    """«пакет № 12» for «batch:12», «III кв. 2026» for «2026Q3»; a user name as it is."""
    if not obj:
        return "—"
    kind, _, rest = obj.partition(":")
    if rest and kind in OBJECT_LABELS:
        return f"{OBJECT_LABELS[kind]} № {rest}"
    try:
        return Quarter.parse(obj).label  # an approval's quarter: «III кв. 2026»
    except ValueError:
        return OBJECT_LABELS.get(obj, obj)


class AdminError(ValueError):
    """An administration change refused; the message is Russian."""


@dataclass(frozen=True)
class UsersView:
    table: pl.DataFrame  # username, role_label, body, state, oidc, created_at, password_changed_at, sessions
    names: list[str]


def users_view(engine: Engine, tz: ZoneInfo) -> UsersView:
    accounts = users.accounts(engine)
    open_sessions = sessions.open_sessions(engine)

    def local(moment):
        if moment is None:
            return None
        return (moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))).astimezone(tz).replace(tzinfo=None)
    rows = [{"username": a.username, "role_label": users.ROLE_LABELS.get(a.role, a.role), "body": a.body or "",
             "state": "отключён" if a.disabled else "активен", "login": "OIDC" if a.oidc_only else "пароль",
             "created_at": local(a.created_at), "password_changed_at": local(a.password_changed_at),
             "sessions": open_sessions.get(a.username, 0)} for a in accounts]
    schema = {"username": pl.String, "role_label": pl.String, "body": pl.String, "state": pl.String,
              "login": pl.String, "created_at": pl.Datetime("us"), "password_changed_at": pl.Datetime("us"),
              "sessions": pl.Int64}
    return UsersView(pl.DataFrame(rows, schema=schema), [a.username for a in accounts])


def change_role(engine: Engine, username: str, role: str, body: str | None, by: str) -> None:
    current = users.account(engine, username)
    if current is not None and current.role == "admin" and role != "admin":
        _keep_an_admin(engine, username)
    users.set_role(engine, username, role, by, body=body if role == "body" else None)


def change_disabled(engine: Engine, username: str, disabled: bool, by: str) -> None:
    if disabled and username == by:
        raise AdminError("нельзя отключить собственную учётную запись")
    current = users.account(engine, username)
    if disabled and current is not None and current.role == "admin":
        _keep_an_admin(engine, username)
    users.set_disabled(engine, username, disabled, by)


def _keep_an_admin(engine: Engine, username: str) -> None:
    with engine.connect() as conn:
        if users.admins_left(conn, username) == 0:
            raise AdminError("это последний действующий администратор: сначала назначьте другого")


def audit_view(engine: Engine, tz: ZoneInfo, start: date | None, end: date | None, who: list[str],
               actions: list[str]) -> pl.DataFrame:
    """The log for the screen: local time, user, action in Russian, object, details; newest first."""
    since = datetime.combine(start, time(), tz) if start else None
    until = datetime.combine(end + timedelta(days=1), time(), tz) if end else None
    frame = queries.audit_frame(engine, since, until, who, actions)
    return frame.select(
        pl.col("at").dt.convert_time_zone(tz.key).dt.replace_time_zone(None).alias("at"), "user",
        pl.col("action").replace_strict(ACTION_LABELS, default=pl.col("action")).alias("action_label"),
        "action", pl.col("object").map_elements(object_text, return_dtype=pl.String, skip_nulls=False),
        pl.col("details").map_elements(details_text, return_dtype=pl.String, skip_nulls=False))


def audit_choices(engine: Engine) -> tuple[list[str], list[str]]:
    return queries.audit_choices(engine)


def audit_csv(frame: pl.DataFrame) -> bytes:
    """The filtered log as CSV for Excel (UTF-8 with BOM, «;»); a text cell starting with = + - @ is neutralised
    (formula injection: user names and objects are user text)."""
    risky = ("=", "+", "-", "@", "\t", "\r")
    texts = [c for c, t in frame.schema.items() if t == pl.String]
    safe = frame.with_columns(pl.when(pl.col(c).str.starts_with(risky[0]) | pl.col(c).str.starts_with(risky[1])
                                      | pl.col(c).str.starts_with(risky[2]) | pl.col(c).str.starts_with(risky[3])
                                      | pl.col(c).str.starts_with(risky[4]) | pl.col(c).str.starts_with(risky[5]))
                              .then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c) for c in texts)
    safe = safe.rename({"at": "Когда", "user": "Кто", "action_label": "Действие", "action": "Код действия",
                        "object": "Объект", "details": "Подробности"}, strict=False)
    out = io.BytesIO()
    out.write("\ufeff".encode())
    safe.write_csv(out, separator=";", datetime_format="%d.%m.%Y %H:%M:%S")
    return out.getvalue()

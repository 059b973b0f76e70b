"""Delivery of the quarter's reports by e-mail (`cli.py report --send`; Порядок §4 п.16: results go to every
executive body within 20 days). Leadership receives the quarterly PDF and the workbook, each executive body its
own PDF and workbook; one message per address. Recipients come from a CSV file (README, «Рассылка отчётов»),
SMTP settings from GOSPABLIKI_SMTP_*; every sending — delivered or failed — goes to the audit log."""
from __future__ import annotations

import csv
import io
import os
import re
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path

import polars as pl
from sqlalchemy import Engine

from core.config import DATA_DIR, region_tz
from core.labels import number_ru
from reports import pdf_report
from reports.rating_workbook import file_name as workbook_name
from scoring.report_view import find_body
from scoring.tables import RatingTables, rows_of
from services.reports import ReportInputs, body_pdf, quarterly_pdf, workbook
from storage.audit import write_audit

LEADERSHIP = "руководство"
ADDRESS = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
COLUMNS = {"address": ("адрес", "e-mail", "email", "электронная почта"),
           "target": ("кому", "получатель", "орган"),
           "name": ("имя", "должность", "комментарий")}
PDF, XLSX = "application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DeliveryError(ValueError):
    """Delivery cannot start: bad recipients file or SMTP settings; the message is in Russian."""


def default_recipients_path() -> Path:
    return Path(os.environ.get("GOSPABLIKI_RECIPIENTS", "").strip() or DATA_DIR / "recipients.csv")


@dataclass(frozen=True)
class Recipient:
    address: str
    target: str  # LEADERSHIP or an executive body's name as in the registry
    name: str = ""
    line: int = 0


def _column(headers: list[str], key: str) -> int | None:
    wanted = COLUMNS[key]
    for i, header in enumerate(headers):
        if header.strip().lower() in wanted:
            return i
    return None


def read_recipients(path: Path) -> list[Recipient]:
    """The recipients file: CSV (UTF-8, «;» or «,»), a header row with «Адрес», «Кому» and optionally «Имя»;
    «Кому» is «руководство» (the whole quarterly report) or an executive body's name (its own report)."""
    if not path.is_file():
        raise DeliveryError(f"файл получателей {path} не найден (пример — data/recipients.example.csv; путь задаёт "
                            "--recipients или переменная GOSPABLIKI_RECIPIENTS)")
    text = path.read_bytes().decode("utf-8-sig", errors="strict")
    first = text.split("\n", 1)[0]
    rows = list(csv.reader(io.StringIO(text), delimiter=";" if first.count(";") >= first.count(",") else ","))
    if not rows:
        raise DeliveryError(f"{path.name}: файл получателей пуст")
    headers = rows[0]
    address_col, target_col, name_col = (_column(headers, k) for k in ("address", "target", "name"))
    if address_col is None or target_col is None:
        raise DeliveryError(f"{path.name}, строка 1: нужны столбцы «Адрес» и «Кому»")
    recipients = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cell = (lambda i: row[i].strip() if i is not None and i < len(row) else "")
        address, target = cell(address_col), " ".join(cell(target_col).split())
        if not ADDRESS.match(address):
            raise DeliveryError(f"{path.name}, строка {number}, столбец «Адрес»: «{address}» — не адрес электронной "
                                "почты")
        if not target:
            raise DeliveryError(f"{path.name}, строка {number}, столбец «Кому»: пусто (укажите «{LEADERSHIP}» или "
                                "наименование исполнительного органа)")
        recipients.append(Recipient(address, LEADERSHIP if target.lower() == LEADERSHIP else target, cell(name_col),
                                    number))
    return recipients


@dataclass(frozen=True)
class Attachment:
    kind: str  # "quarterly_pdf", "workbook", "body_pdf", "body_workbook"
    filename: str
    owner_id: int | None = None

    @property
    def mime(self) -> str:
        return PDF if self.filename.endswith(".pdf") else XLSX


@dataclass
class Delivery:
    address: str
    name: str
    subject: str
    text: str
    attachments: list[Attachment] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)


def _status(tables: RatingTables) -> str:
    approved = tables.get("approved")
    if approved:
        moment = datetime.fromisoformat(approved["approved_at"]).astimezone(region_tz())
        return f"рейтинг утверждён {moment:%d.%m.%Y}"
    return "рейтинг не утверждён (расчёт по текущим данным)"


def plan(inputs: ReportInputs, recipients: list[Recipient], today: date) -> list[Delivery]:
    """What each address receives: one message per address with every report meant for it."""
    tables = inputs.tables
    label, code = tables.get("quarter_label"), tables.quarter
    by_address: dict[str, Delivery] = {}
    for r in recipients:
        key = r.address.lower()
        delivery = by_address.get(key)
        if delivery is None:
            delivery = by_address[key] = Delivery(r.address, r.name, "", "")
        if r.target == LEADERSHIP:
            if LEADERSHIP in delivery.targets:
                continue
            delivery.targets.append(LEADERSHIP)
            delivery.attachments += [Attachment("quarterly_pdf", pdf_report.file_name(code, today)),
                                     Attachment("workbook", workbook_name(code, today))]
            continue
        try:
            body = find_body(tables, r.target)
        except ValueError as error:
            raise DeliveryError(f"строка {r.line} файла получателей: {error}") from None
        if body["owner"] in delivery.targets:
            continue
        delivery.targets.append(body["owner"])
        delivery.attachments += [Attachment("body_pdf", pdf_report.file_name(code, today, body["owner"]),
                                            body["owner_id"]),
                                 Attachment("body_workbook", workbook_name(code, today, body["owner"]),
                                            body["owner_id"])]
    for delivery in by_address.values():
        bodies = [t for t in delivery.targets if t != LEADERSHIP]
        whom = "рейтинг органов власти" if LEADERSHIP in delivery.targets else bodies[0] if len(bodies) == 1 \
            else "; ".join(bodies)
        delivery.subject = f"Рейтинг госпабликов Томской области за {label}: {whom}"
        delivery.text = _letter(tables, delivery)
    return list(by_address.values())


def _letter(tables: RatingTables, delivery: Delivery) -> str:
    lines = ["Здравствуйте!", "", f"Направляем результаты оценки официальных страниц (госпабликов) за "
             f"{tables.get('quarter_label')}: {_status(tables)}, методика {tables.get('methodology')}.", ""]
    for target in delivery.targets:
        if target == LEADERSHIP:
            lines.append("Во вложении — квартальный отчёт (PDF) и книга Excel с рейтингом исполнительных органов, "
                         "руководителей и учреждений.")
            continue
        row = rows_of(tables.bodies.filter(pl.col("owner") == target))[0]
        if row.get("score") is None:
            lines.append(f"{target}: не оценивается — {row.get('not_rated_reason') or 'нет данных'}.")
        else:
            lines.append(f"{target}: {row['rank']} место, сводный балл {number_ru(row['score'], 1)}"
                         + f", зона «{row.get('zone')}». Во вложении — отчёт органа (PDF) с рекомендациями и книга "
                           "Excel.")
    lines += ["", "Центр управления регионом Томской области", "Письмо сформировано автоматически."]
    return "\n".join(lines)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str
    password: str
    tls: str  # none | starttls | ssl
    sender: str


def smtp_settings(env: dict | None = None) -> SmtpSettings:
    env = os.environ if env is None else env
    get = (lambda name: (env.get(f"GOSPABLIKI_SMTP_{name}") or "").strip())
    host, tls = get("HOST"), (get("TLS") or "starttls").lower()
    if not host:
        raise DeliveryError("не задан почтовый сервер: GOSPABLIKI_SMTP_HOST (и при необходимости _PORT, _USER, "
                            "_PASSWORD, _TLS, _FROM)")
    if tls not in ("none", "starttls", "ssl"):
        raise DeliveryError(f"GOSPABLIKI_SMTP_TLS=«{tls}»: допустимо none, starttls или ssl")
    try:
        port = int(get("PORT") or {"none": 25, "starttls": 587, "ssl": 465}[tls])
    except ValueError:
        raise DeliveryError(f"GOSPABLIKI_SMTP_PORT=«{get('PORT')}» — не номер порта") from None
    sender = get("FROM") or get("USER")
    if not ADDRESS.match(sender.rsplit("<", 1)[-1].rstrip(">")):
        raise DeliveryError("не задан адрес отправителя: GOSPABLIKI_SMTP_FROM")
    return SmtpSettings(host, port, get("USER"), env.get("GOSPABLIKI_SMTP_PASSWORD") or "", tls, sender)


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if settings.tls == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=60, context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=60)
        if settings.tls == "starttls":
            client.starttls(context=context)
    if settings.user:
        client.login(settings.user, settings.password)
    return client


def message(delivery: Delivery, sender: str, files: dict) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = formataddr((delivery.name, delivery.address)) if delivery.name else delivery.address
    msg["Subject"] = delivery.subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip(">") or None)
    msg.set_content(delivery.text)
    for attachment in delivery.attachments:
        maintype, subtype = attachment.mime.split("/")
        msg.add_attachment(files[attachment], maintype=maintype, subtype=subtype, filename=attachment.filename)
    return msg


class Files:
    """The attachments, each built once however many addresses receive it; one Chromium draws every chart."""

    def __init__(self, inputs: ReportInputs, deliveries: list[Delivery], export=None):
        self.inputs = inputs
        self.cache: dict[tuple, bytes] = {}
        self.export = export
        self.images: dict[str, bytes] | None = None
        self.needed = {(a.kind, a.owner_id) for d in deliveries for a in d.attachments}

    def _exporter(self, figures: dict) -> dict[str, bytes]:
        if self.images is None:  # every chart of every report in one export
            from reports.static_figures import figures_svg
            wanted: dict = {}
            tz = region_tz()
            for kind, owner_id in self.needed:
                if kind == "quarterly_pdf":
                    wanted |= pdf_report.quarterly_figures(self.inputs.tables, self.inputs.previous, tz)
                elif kind == "body_pdf":
                    wanted |= pdf_report.body_figures(self.inputs.tables, owner_id, tz, self.inputs.history)
            self.images = (self.export or figures_svg)(wanted | figures)
        missing = {k: f for k, f in figures.items() if k not in self.images}
        if missing:
            from reports.static_figures import figures_svg
            self.images |= (self.export or figures_svg)(missing)
        return {k: self.images[k] for k in figures}

    def __getitem__(self, attachment: Attachment) -> bytes:
        key = (attachment.kind, attachment.owner_id)
        if key not in self.cache:
            build: dict[str, Callable[[], bytes]] = {
                "quarterly_pdf": lambda: quarterly_pdf(self.inputs, exporter=self._exporter),
                "workbook": lambda: workbook(self.inputs),
                "body_pdf": lambda: body_pdf(self.inputs, attachment.owner_id, exporter=self._exporter),
                "body_workbook": lambda: workbook(self.inputs, attachment.owner_id)}
            self.cache[key] = build[attachment.kind]()
        return self.cache[key]


def send(engine: Engine, inputs: ReportInputs, deliveries: list[Delivery], settings: SmtpSettings, user: str,
         export=None, log: Callable[[str], None] = lambda _: None) -> list[dict]:
    """Send each message; each sending (delivered or not) is written to the audit log. Returns one result per
    address: {"address", "attachments", "ok", "error"}."""
    files = Files(inputs, deliveries, export)
    results = []
    client = None
    try:
        for delivery in deliveries:
            names = [a.filename for a in delivery.attachments]
            error = None
            try:
                msg = message(delivery, settings.sender, files)
                if client is None:
                    client = _connect(settings)
                refused = client.send_message(msg)
                if refused:
                    error = "; ".join(f"{a}: {code} {text!r}" for a, (code, text) in refused.items())
            except (smtplib.SMTPException, OSError) as exc:
                error = f"{type(exc).__name__}: {exc}"
                client = _close(client)
            results.append({"address": delivery.address, "attachments": names, "ok": error is None, "error": error})
            with engine.begin() as conn:
                write_audit(conn, user, "report_send" if error is None else "report_send_failed",
                            f"report:{inputs.tables.quarter}",
                            {"to": delivery.address, "targets": delivery.targets, "attachments": names,
                             "subject": delivery.subject, "smtp": f"{settings.host}:{settings.port}",
                             "approved": inputs.approved, **({"error": error} if error else {})})
            log(f"{'отправлено' if error is None else 'НЕ отправлено'}: {delivery.address} — {', '.join(names)}"
                + (f" ({error})" if error else ""))
    finally:
        _close(client)
    return results


def _close(client):
    if client is not None:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            pass
    return None

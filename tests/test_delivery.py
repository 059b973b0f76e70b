"""Delivery of the reports by e-mail (issue 19): a real SMTP server (aiosmtpd) on 127.0.0.1 started by the test
receives the messages; each is read back with its attachments; every sending is in the audit log."""
import email
import email.policy
import socket
from datetime import date
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from core.calendar import Quarter
from scoring.tables import to_payload
from services import delivery, reports
from storage import schema
from storage.db import make_engine
from tests.environment import missing

TODAY = date(2026, 11, 24)
TINY_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="900" height="300"><rect width="900" height="300"/></svg>'


def fake_export(figures):  # the charts are drawn for real in tests/test_pdf_report.py; here only the mail matters
    return {key: TINY_SVG for key in figures}


class Inbox:
    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.login == b"cur" and auth_data.password == b"secret")

    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        yield controller, inbox, logins
    finally:
        controller.stop()


@pytest.fixture
def smtp_env(smtp_server, monkeypatch):
    controller, _, _ = smtp_server
    for key, value in {"HOST": "127.0.0.1", "PORT": str(controller.port), "TLS": "none", "USER": "cur",
                       "PASSWORD": "secret", "FROM": "ЦУР Томской области <rating@cur.example.ru>"}.items():
        monkeypatch.setenv(f"GOSPABLIKI_SMTP_{key}", value)
    return smtp_server


@pytest.fixture
def own_db(demo_db_url, tmp_path) -> str:
    """A copy of the demo database: sending writes the audit log."""
    import shutil
    target = tmp_path / "demo-copy.sqlite3"
    shutil.copyfile(demo_db_url.removeprefix("sqlite:///"), target)
    return f"sqlite:///{target}"


def _recipients(tmp_path: Path, payload: dict) -> Path:
    first, second = payload["bodies"][0]["owner"], payload["bodies"][1]["owner"]
    path = tmp_path / "получатели.csv"
    path.write_text("Адрес;Кому;Имя\n"
                    "zam@example.ru;руководство;Заместитель губернатора\n"
                    f"first@example.ru;{first};Пресс-служба\n"
                    f"both@example.ru;{first};\n"
                    f"both@example.ru;{second.upper()};\n"
                    "\n", encoding="utf-8-sig")
    return path


def test_recipients_file_and_plan(inputs, tmp_path):
    payload = to_payload(inputs.tables)
    recipients = delivery.read_recipients(_recipients(tmp_path, payload))
    assert [r.address for r in recipients] == ["zam@example.ru", "first@example.ru", "both@example.ru",
                                               "both@example.ru"]
    plan = delivery.plan(inputs, recipients, TODAY)
    by_address = {d.address: d for d in plan}
    assert set(by_address) == {"zam@example.ru", "first@example.ru", "both@example.ru"}  # one message per address
    assert [a.kind for a in by_address["zam@example.ru"].attachments] == ["quarterly_pdf", "workbook"]
    assert [a.kind for a in by_address["both@example.ru"].attachments] == ["body_pdf", "body_workbook"] * 2
    first = payload["bodies"][0]
    assert by_address["first@example.ru"].attachments[0].owner_id == first["owner_id"]
    assert first["owner"][:40] in by_address["first@example.ru"].attachments[0].filename
    assert "III кв. 2026" in by_address["first@example.ru"].subject


@pytest.mark.parametrize("content, message", [
    ("Кому;Имя\nруководство;x\n", "нужны столбцы «Адрес» и «Кому»"),
    ("Адрес;Кому\nне-адрес;руководство\n", "строка 2, столбец «Адрес»"),
    ("Адрес;Кому\na@example.ru;\n", "строка 2, столбец «Кому»: пусто"),
])
def test_recipients_file_errors_are_russian(tmp_path, content, message):
    path = tmp_path / "r.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(delivery.DeliveryError, match=message):
        delivery.read_recipients(path)


def test_unknown_body_in_recipients_is_refused(inputs, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("Адрес,Кому\na@example.ru,Департамент несуществующих дел\n", encoding="utf-8")
    with pytest.raises(delivery.DeliveryError, match="строка 2 .*«Департамент несуществующих дел» не найден"):
        delivery.plan(inputs, delivery.read_recipients(path), TODAY)


def test_smtp_settings_from_the_environment():
    env = {"GOSPABLIKI_SMTP_HOST": "smtp.example.ru", "GOSPABLIKI_SMTP_TLS": "ssl",
           "GOSPABLIKI_SMTP_FROM": "rating@example.ru"}
    settings = delivery.smtp_settings(env)
    assert (settings.port, settings.tls, settings.user) == (465, "ssl", "")
    assert delivery.smtp_settings(env | {"GOSPABLIKI_SMTP_TLS": "starttls"}).port == 587
    with pytest.raises(delivery.DeliveryError, match="GOSPABLIKI_SMTP_HOST"):
        delivery.smtp_settings({})
    with pytest.raises(delivery.DeliveryError, match="none, starttls или ssl"):
        delivery.smtp_settings(env | {"GOSPABLIKI_SMTP_TLS": "tls1.3"})


def test_send_delivers_one_message_per_recipient_with_its_pdf_and_audits(inputs, smtp_env, tmp_path, own_db):
    controller, inbox, logins = smtp_env
    engine = make_engine(own_db)
    payload = to_payload(inputs.tables)
    plan = delivery.plan(inputs, delivery.read_recipients(_recipients(tmp_path, payload)), TODAY)
    results = delivery.send(engine, inputs, plan, delivery.smtp_settings(), "analyst", export=fake_export)
    assert all(r["ok"] for r in results), results
    assert logins and logins[0] == (b"cur", b"secret")
    received = {tuple(to): msg for to, msg in inbox.messages}
    assert set(received) == {("zam@example.ru",), ("first@example.ru",), ("both@example.ru",)}

    def attachments(msg):
        return {part.get_filename(): part.get_content() for part in msg.iter_attachments()}

    first, second = payload["bodies"][0], payload["bodies"][1]
    lead = attachments(received[("zam@example.ru",)])
    assert sorted(name.rsplit(".", 1)[1] for name in lead) == ["pdf", "xlsx"]
    assert all(content[:4] in (b"%PDF", b"PK\x03\x04") for content in lead.values())
    own = attachments(received[("first@example.ru",)])
    pdf_name = next(name for name in own if name.endswith(".pdf"))
    assert first["owner"][:40] in pdf_name and own[pdf_name].startswith(b"%PDF")
    text = _pdf_text(own[pdf_name], tmp_path)
    assert first["owner"] in " ".join(text.split()) and second["owner"] not in " ".join(text.split())
    both = attachments(received[("both@example.ru",)])
    assert sum(name.endswith(".pdf") for name in both) == 2
    letter = received[("first@example.ru",)].get_body(preferencelist=("plain",)).get_content()
    assert "III кв. 2026" in letter and f"{first['rank']} место" in letter
    assert received[("zam@example.ru",)]["From"].addresses[0].addr_spec == "rating@cur.example.ru"

    with engine.connect() as conn:
        audit = conn.execute(select(schema.audit_log.c.action, schema.audit_log.c.details)
                             .where(schema.audit_log.c.action.like("report_send%"))).all()
    engine.dispose()
    sent = [details for action, details in audit if action == "report_send"]
    assert sorted(d["to"] for d in sent) == ["both@example.ru", "first@example.ru", "zam@example.ru"]
    assert all(d["attachments"] and d["smtp"] == f"127.0.0.1:{controller.port}" for d in sent)


def test_a_refused_connection_is_audited_as_failed(inputs, tmp_path, own_db, monkeypatch):
    engine = make_engine(own_db)
    monkeypatch.setenv("GOSPABLIKI_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GOSPABLIKI_SMTP_PORT", str(_free_port()))  # nobody listens there
    monkeypatch.setenv("GOSPABLIKI_SMTP_TLS", "none")
    monkeypatch.setenv("GOSPABLIKI_SMTP_FROM", "rating@example.ru")
    plan = delivery.plan(inputs, [delivery.Recipient("zam@example.ru", delivery.LEADERSHIP)], TODAY)
    results = delivery.send(engine, inputs, plan, delivery.smtp_settings(), "cron", export=fake_export)
    assert results[0]["ok"] is False and "Connection" in results[0]["error"]
    with engine.connect() as conn:
        action = conn.execute(select(schema.audit_log.c.action).order_by(schema.audit_log.c.id.desc())).scalar()
    engine.dispose()
    assert action == "report_send_failed"


def test_cli_dry_run_lists_and_sends_nothing(demo_db_url, smtp_env, tmp_path, monkeypatch, capsys, inputs):
    from cli import main
    _, inbox, _ = smtp_env
    monkeypatch.setenv("GOSPABLIKI_DATABASE_URL", demo_db_url)
    code = main(["report", "--quarter", "2026Q3", "--send", "--dry-run", "--recipients",
                 str(_recipients(tmp_path, to_payload(inputs.tables)))])
    out = capsys.readouterr().out
    assert code == 0 and inbox.messages == []
    assert "проверка, письма не отправляются; адресов: 3" in out and "zam@example.ru" in out and ".pdf" in out


def test_cli_sends_a_body_report_to_given_addresses(own_db, smtp_env, tmp_path, monkeypatch, capsys, inputs):
    """The whole path of `report --body … --send --to …`, with the charts drawn in Chromium."""
    from cli import main
    from reports.static_figures import FigureExportError, browser_path
    try:
        browser_path()
    except FigureExportError:
        missing("Chromium не установлен")
    _, inbox, _ = smtp_env
    monkeypatch.setenv("GOSPABLIKI_DATABASE_URL", own_db)
    body = to_payload(inputs.tables)["bodies"][2]
    code = main(["report", "--quarter", "2026Q3", "--body", body["owner"], "--send", "--to", "a@example.ru",
                 "b@example.ru"])
    assert code == 0, capsys.readouterr()
    assert sorted(to[0] for to, _ in inbox.messages) == ["a@example.ru", "b@example.ru"]
    for _, msg in inbox.messages:
        pdf = next(p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf")
        assert body["owner"][:40] in pdf.get_filename()
        assert body["owner"] in " ".join(_pdf_text(pdf.get_content(), tmp_path).split())


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    import shutil
    import subprocess
    if shutil.which("pdftotext") is None:
        missing("pdftotext не установлен (apt-get install poppler-utils)")
    path = tmp_path / "attachment.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout

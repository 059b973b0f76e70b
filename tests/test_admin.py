"""«Администрирование» (issue 18): admins manage users, roles and body bindings, disable users and set passwords,
and read the audit log with filters and a CSV export; nobody else sees the screen."""
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from services import admin
from storage import users

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PASSWORD = "пароль-админа-2026"


@pytest.fixture
def admin_db(demo_db_url, tmp_path, monkeypatch):
    from storage.db import get_engine
    target = tmp_path / "admin.sqlite3"
    shutil.copy(demo_db_url.removeprefix("sqlite:///"), target)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("GOSPABLIKI_DATABASE_URL", url)
    monkeypatch.setenv("GOSPABLIKI_AUTH", "1")
    engine = get_engine(url)
    users.set_user(engine, "chief", PASSWORD, "admin", by="test")
    users.set_user(engine, "analyst", PASSWORD, "analyst", by="test")
    return engine


def _signed_in(username: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.text_input[0].input(username)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert at.session_state["auth_user"] == username
    return at


def _admin_screen() -> AppTest:
    at = _signed_in("chief")
    at.switch_page("app_pages/admin.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_only_admins_have_the_screen(admin_db):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        _signed_in("analyst").switch_page("app_pages/admin.py")
    at = _admin_screen()
    assert at.title[0].value == "Администрирование"
    assert set(at.dataframe[0].value["username"]) == {"chief", "analyst"}


def test_admin_binds_a_user_to_a_body_and_disables_a_user(admin_db):
    at = _admin_screen()
    at.selectbox(key="admin_user").select("analyst").run()
    body = at.selectbox(key="admin_body_analyst").options[0]
    at.selectbox(key="admin_role_analyst").select("body").run()
    at.selectbox(key="admin_body_analyst").select(body).run()
    at.button(key="admin_save_role").click().run()
    assert not at.error, [e.value for e in at.error]
    account = users.account(admin_db, "analyst")
    assert (account.role, account.body) == ("body", body)
    at.button(key="admin_toggle").click().run()
    assert users.account(admin_db, "analyst").disabled


def test_admin_cannot_remove_the_last_admin_or_disable_itself(admin_db):
    at = _admin_screen()
    at.selectbox(key="admin_user").select("chief").run()
    at.button(key="admin_toggle").click().run()
    assert "собственную" in at.error[0].value
    at.selectbox(key="admin_role_chief").select("viewer").run()
    at.button(key="admin_save_role").click().run()
    assert "последний действующий администратор" in at.error[0].value
    assert users.account(admin_db, "chief").role == "admin"


def test_new_user_follows_the_password_policy(admin_db):
    at = _admin_screen()
    field = {t.label.split(" (")[0]: t for t in at.text_input}
    field["Имя пользователя"].input("petrov")
    field["Пароль"].input("1234567890")
    at.button(key="FormSubmitter:admin_new_user-Создать").click().run()
    assert at.error and "одних цифр" in at.error[0].value
    assert users.account(admin_db, "petrov") is None


def test_audit_log_filters_and_export(admin_db):
    from core.config import region_tz
    _signed_in("analyst")
    users.set_user(admin_db, "=HYPERLINK(\"http://evil\")", "ещё-один-пароль", "viewer", by="chief")
    frame = admin.audit_view(admin_db, region_tz(), None, None, ["analyst"], ["login"])
    assert frame.height >= 1 and set(frame["user"]) == {"analyst"} and set(frame["action_label"]) == {"вход"}
    everything = admin.audit_view(admin_db, region_tz(), None, None, [], [])
    csv = admin.audit_csv(everything).decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Когда;Кто;Действие")
    assert "'=HYPERLINK" in csv and ";=HYPERLINK" not in csv
    at = _admin_screen()
    assert at.dataframe[1].value.shape[0] >= 3  # the log tab: logins and user changes of the last 30 days
    assert at.multiselect(key="admin_log_actions").options


def test_audit_details_and_objects_read_in_russian():
    """The log's details are the stored JSON in words: Russian keys, formats, roles, registry fields, yes/no."""
    import json
    from services.admin import details_text, object_text
    upload = details_text(json.dumps({"filename": "стена.json", "format": "vk_wall", "kind": "activity"}))
    assert upload == "файл: стена.json; формат: ВКонтакте: wall.get; вид: выгрузка активности"
    edit = details_text(json.dumps({"batch_id": 3, "changes": {"name": ["А", "Б"], "url": [None, "x"]}}))
    assert edit == "пакет: 3; изменения: Наименование: А → Б; Ссылка: — → x"
    role = details_text(json.dumps({"role": "analyst", "was": "viewer", "oidc": False}))
    assert role == "роль: аналитик ЦУР; было: просмотр; вход через OIDC: нет"
    assert details_text("{}") == "—" and details_text(None) == "—"
    assert object_text("batch:12") == "пакет № 12" and object_text("2026Q3") == "III кв. 2026" and object_text("ivanov") == "ivanov" and object_text(None) == "—"

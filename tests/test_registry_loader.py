import io
import zipfile
from datetime import date

import pytest

from loaders.errors import LoadError
from loaders.registry import load_registry
from tests.factories import HEADERS, registry_csv, registry_rows, registry_xlsx

TODAY = date(2026, 11, 24)


def load(content: bytes, name: str = "реестр.xlsx", known=None):
    return load_registry(content, name, known or {}, today=TODAY)


def test_template_is_read_into_owners_and_pages():
    data = load(registry_xlsx())
    assert data.format == "registry_template"
    assert data.owners.height == 4
    assert data.pages.height == 5
    head = data.owners.filter(data.owners["kind"] == "head").row(0, named=True)
    assert head["parent_name"] == "Департамент финансов Томской области"
    vk = data.pages.filter((data.pages["page_key"] == "depfin_tomsk") & (data.pages["platform"] == "vk"))
    assert vk["platform_id"].item() == "-2002"
    assert vk["registered_on"].item() == date(2023, 3, 15)
    assert vk["cover"].item() is False
    tg = data.pages.filter(data.pages["platform"] == "telegram").row(0, named=True)
    assert tg["cover"] is None and tg["pos_widgets"] is None  # not on Telegram
    assert tg["moderation_rules"] is None  # empty cell = unknown, not «нет»


@pytest.mark.parametrize("encoding, delimiter", [("utf-8-sig", ";"), ("utf-8", ","), ("cp1251", ";")])
def test_csv_in_every_accepted_encoding(encoding, delimiter):
    data = load(registry_csv(encoding=encoding, delimiter=delimiter), "реестр.csv")
    assert data.pages.height == 5
    assert "Департамент финансов Томской области" in data.owners["name"].to_list()


def errors_of(content: bytes, name: str = "реестр.xlsx", known=None) -> list:
    with pytest.raises(LoadError) as caught:
        load(content, name, known)
    return caught.value.issues


def test_missing_column_is_named():
    rows = [r[:4] + r[5:] for r in registry_rows()]  # drop «Платформа»
    import csv
    out = io.StringIO()
    w = csv.writer(out, delimiter=";")
    w.writerow([h for h in HEADERS if h != "Платформа"])
    w.writerows(rows)
    issues = errors_of(out.getvalue().encode(), "реестр.csv")
    assert "«Платформа»" in issues[0].message and issues[0].file == "реестр.csv"


def test_unknown_kind_names_file_sheet_row_column():
    rows = registry_rows()
    rows[2][1] = "Министр"
    issue = errors_of(registry_xlsx(rows))[0]
    assert (issue.sheet, issue.row, issue.column) == ("Реестр", 4, "Тип владельца")
    assert "неизвестный тип владельца «Министр»" in str(issue)
    assert str(issue).startswith("файл «реестр.xlsx», лист «Реестр», строка 4, столбец «Тип владельца»")


def test_bad_url_and_bad_values_are_all_reported():
    rows = registry_rows()
    rows[1][5] = "https://example.com/dep"
    rows[2][8] = "может быть"
    rows[3][18] = "-5"
    rows[4][7] = "31.02.2024"
    issues = errors_of(registry_xlsx(rows))
    columns = {(i.row, i.column) for i in issues}
    assert {(3, "Ссылка"), (4, "Госорганизация / верификация"), (5, "Подписчики"), (6, "Дата регистрации")} <= columns


def test_future_registration_date_is_rejected():
    rows = registry_rows()
    rows[0][7] = "01.01.2030"
    assert "ещё не наступила" in errors_of(registry_xlsx(rows))[0].message


def test_parent_must_be_an_executive_body():
    rows = registry_rows()
    rows[3][2] = "Неизвестный департамент"
    assert "не найден" in errors_of(registry_xlsx(rows))[0].message
    rows[3][2] = "Губернатор Томской области"
    assert "только исполнительный орган" in errors_of(registry_xlsx(rows))[0].message


def test_parent_may_already_be_in_the_database():
    rows = [r for r in registry_rows() if r[1] == "Учреждение"]
    data = load(registry_xlsx(rows), known={"департамент финансов томской области": "executive_body"})
    assert data.owners.height == 1


def test_duplicate_page_in_file():
    rows = registry_rows()
    rows.append(list(rows[1]))
    issue = errors_of(registry_xlsx(rows))[0]
    assert issue.row == 7 and "уже указана в строке 3" in issue.message


@pytest.mark.parametrize("content, name, fragment", [
    (b"", "пустой.xlsx", "файл пустой"),
    (b"\xef\xbb\xbf", "пустой.csv", "файл пустой"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "пароль.xlsx", "защищён паролем"),
    (b"PK\x03\x04broken", "битый.xlsx", "повреждён"),
    ("Имя;Фамилия\nА;Б\n".encode(), "чужой.csv", "не похож на реестр"),
])
def test_broken_files_get_russian_messages(content, name, fragment):
    issues = errors_of(content, name)
    assert fragment in str(issues[0]) and name in str(issues[0])


def test_zip_bomb_is_refused_before_reading(monkeypatch):
    import loaders.tabular as tabular
    monkeypatch.setattr(tabular, "MAX_XLSX_UNPACKED_BYTES", 1_000_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * 5_000_000)
    assert "распаковывается" in str(errors_of(buffer.getvalue(), "бомба.xlsx")[0])


def test_header_row_below_a_title_row_is_found():
    import csv
    out = io.StringIO()
    w = csv.writer(out, delimiter=";")
    w.writerow(["Реестр официальных страниц на 01.11.2026"])
    w.writerow(HEADERS)
    w.writerows([["" if v is None else v for v in r] for r in registry_rows()])
    data = load(out.getvalue().encode(), "реестр.csv")
    assert data.pages.height == 5 and data.pages["source_row"].min() == 3


GOSPUBLIKI = ("Уровень;Учредитель;Наименование подведомственной организации;ОГРН;Сфера 1;Сфера 2;Сфера 3;Статус;"
              "Официальная страница не ведется на основании;ID госпаблика / ID канала;Ссылка на госпаблик ВК;"
              "Адрес, указанный в настройках страницы;Подключение к компоненту «Госпаблики» (да/нет);"
              "Госметка (да/нет);Оформление (%);Виджеты (0/1/2);Активность (%);Количество подписчиков;"
              "Общий охват аудитории за неделю;Средний охват одной публикации\n"
              "Министерство;;Департамент финансов Томской области;1027000000001;Финансы;;;Активна;;-2002;"
              "https://vk.com/depfin_tomsk;г. Томск;Да;ДА;87%;2;64;5200;1700;650\n"
              "Ведомство;Департамент финансов Томской области;ОГКУ «ЦБО»;1027000000002;;;;Активна;;;"
              "https://vk.com/cbo_tomsk;;нет;нет;0.5;0;;300;;\n"
              "Ведомство;Департамент финансов Томской области;ОГКУ «Архив»;;;;;;Приказ № 5;;;;;;;;;;;\n"
              "МО;;Администрация Бакчарского района;;;;;;;;https://vk.com/bakchar;;да;да;;;;100;;\n")


def test_gospubliki_export():
    data = load(GOSPUBLIKI.encode("cp1251"), "госпаблики.csv")
    assert data.format == "gospubliki_export"
    kinds = dict(zip(data.owners["name"], data.owners["kind"]))
    assert kinds == {"Департамент финансов Томской области": "executive_body", "ОГКУ «ЦБО»": "institution",
                     "ОГКУ «Архив»": "institution"}
    dep = data.pages.filter(data.pages["page_key"] == "depfin_tomsk").row(0, named=True)
    assert (dep["design_pct"], dep["pos_widgets"], dep["status_mark"], dep["platform_id"]) == (87.0, 2, True, "-2002")
    cbo = data.pages.filter(data.pages["page_key"] == "cbo_tomsk").row(0, named=True)
    assert cbo["design_pct"] == 50.0
    archive = data.owners.filter(data.owners["name"] == "ОГКУ «Архив»").row(0, named=True)
    assert archive["exemption"] == "Приказ № 5"
    assert any("муниципальные" in str(w) for w in data.warnings)

"""One builder of test inputs, reused by unit, storage, CLI, AppTest and browser tests."""
from __future__ import annotations

import csv
import io

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

"""The methodology file: validation with Russian messages, the version in force, the announcement deadline."""
from datetime import date

import pytest

from core.config import METHODOLOGY_DIR
from scoring.methodology import (MethodologyError, announced_late, load_methodologies, methodology_for,
                                 parse_methodology)

DEFAULT = (METHODOLOGY_DIR / "cur-tomsk-default-v1.toml").read_text(encoding="utf-8")


def _edit(old: str, new: str) -> str:
    assert old in DEFAULT
    return DEFAULT.replace(old, new, 1)


def test_default_file_is_valid_and_weights_sum_to_100():
    m = parse_methodology(DEFAULT, "default.toml")
    assert sum(m.weight(c) for c in m.indicators) == 100
    assert m.posts_norm("governor") == 10 and m.posts_norm("institution") == 3
    assert m.zone(80)["name"] == "высокий" and m.zone(79.99)["name"] == "средний" and m.zone(0)["name"] == "критический"


@pytest.mark.parametrize("old, new, message", [
    ('[indicators.A2]\nblock = "A"\nweight = 4', '[indicators.A2]\nblock = "A"\nweight = 5', "сумма весов показателей равна 101"),
    ("[indicators.E2]", "[indicators.F9]", "неизвестный показатель: F9"),
    ('effective_from = "2025Q1"', 'effective_from = "2025-1"', "неверное обозначение квартала «2025-1»"),
    ("approved_on = 2024-12-10", 'approved_on = "вчера"', "approved_on должно быть датой"),
    ("body = 0.50", "body = 0.60", "должны в сумме давать 1"),
    ('[indicators.B1]\nblock = "B"', '[indicators.B1]\nblock = "Z"', "неизвестный блок «Z»"),
    (", institution = 3 }", " }", "нет нормы публикаций в неделю для: institution"),
    ("full_at = 0.9\n", "", "показатель E1: нет параметра full_at"),
    ("share_of_weeks = 0.8\n", "", "в разделе «early_warning» нет параметра share_of_weeks"),
])
def test_bad_files_are_rejected_with_russian_messages(old, new, message):
    with pytest.raises(MethodologyError) as error:
        parse_methodology(_edit(old, new), "копия.toml")
    assert message in str(error.value) and "копия.toml" in str(error.value)


def test_version_in_force_is_chosen_by_effective_from(tmp_path):
    (tmp_path / "v1.toml").write_text(DEFAULT, encoding="utf-8")
    v2 = DEFAULT.replace('id = "cur-tomsk-default-v1"', 'id = "v2"').replace(
        'effective_from = "2025Q1"', 'effective_from = "2026Q3"').replace("approved_on = 2024-12-10",
                                                                         "approved_on = 2026-06-25")
    (tmp_path / "v2.toml").write_text(v2, encoding="utf-8")
    versions = load_methodologies(tmp_path)
    assert methodology_for("2026Q2", versions).id == "cur-tomsk-default-v1"
    assert methodology_for("2026Q3", versions).id == "v2" and methodology_for("2027Q1", versions).id == "v2"
    with pytest.raises(MethodologyError, match="нет методики"):
        methodology_for("2024Q4", versions)
    # approved 25.06.2026, in force from 01.07.2026: 6 days < 10 days before the period (Порядок §4 п.15)
    assert announced_late(methodology_for("2026Q3", versions), "2026Q3")
    assert not announced_late(methodology_for("2026Q2", versions), "2026Q2")


def test_duplicate_ids_are_refused(tmp_path):
    (tmp_path / "a.toml").write_text(DEFAULT, encoding="utf-8")
    (tmp_path / "b.toml").write_text(DEFAULT, encoding="utf-8")
    with pytest.raises(MethodologyError, match="одинаковым id"):
        load_methodologies(tmp_path)


def test_the_shipped_directory_loads():
    assert load_methodologies()[0].approved_on == date(2024, 12, 10)

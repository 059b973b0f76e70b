"""The methodology file: validation with Russian messages, the version in force, the announcement deadline."""
import tomllib
from dataclasses import FrozenInstanceError
from datetime import date

import pytest

from core.config import METHODOLOGY_DIR
from scoring.methodology import (MethodologyError, announced_late, load_methodologies, methodology_for,
                                 parse_methodology)

DEFAULT = (METHODOLOGY_DIR / "cur-tomsk-default-v1.toml").read_text(encoding="utf-8")


def _edit(old: str, new: str) -> str:
    assert old in DEFAULT
    return DEFAULT.replace(old, new, 1)


def _assert_refused(text: str, message: str) -> None:
    """The edited file is refused with a Russian message that names the file and says `message`."""
    with pytest.raises(MethodologyError) as error:
        parse_methodology(text, "копия.toml")
    assert message in str(error.value) and "копия.toml" in str(error.value)


def test_default_file_is_valid_and_weights_sum_to_100():
    m = parse_methodology(DEFAULT, "default.toml")
    assert sum(m.weight(c) for c in m.indicators) == 100
    assert m.posts_norm("governor") == 10 and m.posts_norm("institution") == 3
    assert m.zone(80).name == "высокий" and m.zone(79.99).name == "средний" and m.zone(0).name == "критический"


def test_typed_values_are_those_of_the_file():
    """Every value the scoring reads is a typed attribute built once by the loader, equal to the file's value."""
    m = parse_methodology(DEFAULT, "default.toml")
    file = tomllib.loads(DEFAULT)
    assert m.norms.posts_per_week == file["norms"]["posts_per_week"]
    assert m.norms.live_streams_per_quarter == {"executive_body": 1}
    assert (m.gates.min_counted_weeks, m.gates.min_posts_for_reach, m.gates.min_user_comments) == (4, 4, 2)
    assert m.gates.as_dict() == file["gates"] and m.composite.as_dict() == file["composite"]
    assert [z.as_dict() for z in m.zones] == file["zones"] and m.blocks == file["blocks"]
    assert (m.deadlines.rating_due_day, m.deadlines.results_within_days, m.deadlines.announce_days_before) == (10, 20, 10)
    assert m.percentiles.peer_group == ("kind", "platform") and m.percentiles.winsorize == (0.05, 0.95)
    assert m.percentiles.advice_below == 0.25 and m.percentiles.group_text == "тип владельца × платформа"
    assert m.ties == ("B1", "A", "name") and m.early_warning_share == 0.8
    assert m.sensitivity.step == 5 and m.sensitivity.grid_points == 3 and m.sensitivity.unstable_places == 3
    e2 = m.indicators["E2"]
    assert [(s.hours, s.value) for s in e2.steps] == [(8, 1.0), (24, 0.5)] and e2.otherwise == 0.0
    assert m.indicators["A5"].values == {0: 0.0, 1: 0.5, 2: 1.0} and m.indicators["E1"].full_at == 0.9
    assert m.indicators["A3"].items == tuple(file["indicators"]["A3"]["items"])
    assert [c for c, i in m.indicators.items() if i.percentile] == ["C1", "C2", "D1", "D2"]
    assert m.indicators["C1"].order == "" and m.indicators["B1"].order == "§2 п.9"
    assert m.press_release.weights["emoji"] == -0.512 and m.press_release.bias == 0.052
    assert m.press_release.readability.syllables == 60.1 and not m.press_release.scored
    # a weight keeps the file's type: the payload's methodology_info (stored with approvals) is unchanged
    assert type(m.indicators["B1"].weight) is int and m.weight("B1") == 20.0
    with pytest.raises(FrozenInstanceError):
        m.gates.min_counted_weeks = 1  # type: ignore[misc]


def test_norms_text_is_written_from_the_norms():
    m = parse_methodology(DEFAULT, "default.toml")
    assert m.norms.posts_text() == "10 для Губернатора и Администрации, 3 для остальных"
    other = parse_methodology(_edit("governor = 10, administration = 10, executive_body = 3",
                                    "governor = 7, administration = 5, executive_body = 3"), "копия.toml")
    assert other.norms.posts_text() == "7 для Губернатора, 5 для Администрации, 3 для остальных"
    same = parse_methodology(_edit("governor = 10, administration = 10", "governor = 3, administration = 3"),
                             "копия.toml")
    assert same.norms.posts_text() == "3 для всех"


def _without_line(prefix: str) -> str:
    """The default file without the first line starting with `prefix` (a missing key)."""
    lines = DEFAULT.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith(prefix))
    return "".join(lines[:index] + lines[index + 1:])


@pytest.mark.parametrize("prefix, message", [
    ("min_counted_weeks", "в разделе «gates» нет параметра min_counted_weeks"),
    ("min_posts_for_reach", "в разделе «gates» нет параметра min_posts_for_reach"),
    ("min_user_comments", "в разделе «gates» нет параметра min_user_comments"),
    ("rating_due_day", "в разделе «deadlines» нет параметра rating_due_day"),
    ("results_within_days", "в разделе «deadlines» нет параметра results_within_days"),
    ("announce_days_before", "в разделе «deadlines» нет параметра announce_days_before"),
    ("winsorize", "в разделе «percentiles» нет параметра winsorize"),
    ("peer_group", "в разделе «percentiles» нет параметра peer_group"),
    ("advice_below", "в разделе «percentiles» нет параметра advice_below"),
    ("head = 0.25", "в разделе «composite» нет параметра head"),
    ("order = [", "в разделе «ties» нет параметра order"),
    ("posts_per_week", "в разделе «norms» нет параметра posts_per_week"),
    ("page_share", "в разделе «press_release» нет параметра page_share"),
    ("otherwise = 0.0", "показатель E2: нет параметра otherwise"),
    ("items = [", "показатель A3: нет параметра items"),
    ('title = "Медианное', "показатель E2: нет параметра title"),
    ("color = \"#2E7D32\"", "в разделе «zones № 1» нет параметра color"),
])
def test_a_missing_key_is_named(prefix, message):
    _assert_refused(_without_line(prefix), message)


# a bad value in the default file: (its text, what replaces it, what the message says); first ill-typed values
BAD_VALUES = [
    ("min_counted_weeks = 4 ", 'min_counted_weeks = "4" ', "в разделе «gates» min_counted_weeks должен быть целым числом"),
    ("min_posts_for_reach = 4 ", "min_posts_for_reach = 4.5 ", "в разделе «gates» min_posts_for_reach должен быть целым"),
    ("min_user_comments = 2 ", "min_user_comments = -2 ", "min_user_comments должен быть целым числом не меньше 0"),
    ("rating_due_day = 10 ", "rating_due_day = 31 ", "в разделе «deadlines» rating_due_day должен быть целым числом от 1 до 28"),
    ("announce_days_before = 10 ", "announce_days_before = true ", "announce_days_before должен быть целым"),
    ("winsorize = [0.05, 0.95]", "winsorize = [0.95, 0.05]", "в разделе «percentiles» winsorize должен быть парой долей"),
    ('peer_group = ["kind", "platform"]', 'peer_group = ["kind", "region"]', "peer_group должен быть списком из: kind"),
    ("advice_below = 0.25", "advice_below = 25", "в разделе «percentiles» advice_below должен быть долей от 0 до 1"),
    ("head = 0.25", 'head = "0.25"', "в разделе «composite» head должен быть долей"),
    ("share_of_weeks = 0.8", "share_of_weeks = 80", "в разделе «early_warning» share_of_weeks должен быть долей"),
    ('order = ["B1", "A", "name"]', 'order = ["B1", "Z", "name"]', "в разделе «ties» order должен быть списком"),
    ("executive_body = 3,", "executive_body = 2.5,", "в разделе «norms.posts_per_week» executive_body должен быть целым"),
    ("live_streams_per_quarter = { executive_body = 1 }", "live_streams_per_quarter = { body = 1 }",
     "в разделе «norms.live_streams_per_quarter» неизвестный тип владельца: body"),
    ("full_at = 0.9", "full_at = 90", "в разделе «indicators.E1» full_at должен быть долей"),
    ("otherwise = 0.0", 'otherwise = "ноль"', "в разделе «indicators.E2» otherwise должен быть долей"),
    ("{ hours = 8, value = 1.0 }", "{ hours = 8, value = 2.0 }", "в разделе «indicators.E2» steps должен быть списком"),
    ('values = { "0" = 0.0,', 'values = { "нет" = 0.0,', "в разделе «indicators.A5» values должен сопоставлять"),
    ('"avatar", "cover"', '"avatar", "banner"', "в разделе «indicators.A3» items должен быть списком элементов"),
    ('order = "§2 п.9"', "order = 9", "в разделе «indicators.B1» order должен быть непустой строкой"),
    ("percentile = true", 'percentile = "да"', "в разделе «indicators.C1» percentile должен быть true или false"),
    ('weight = 20\ntitle', 'wieght = 20\ntitle', "показатель B1: вес должен быть неотрицательным числом"),
    ("order = \"§2 п.6\"\nfull_at", "order = \"§2 п.6\"\nfull_at_share = 1\nfull_at", "в разделе «indicators.E1» неизвестный параметр full_at_share"),
    ("min = 80", 'min = "80"', "в разделе «zones № 1» min должен быть числом баллов от 0 до 100"),
    ('name = "средний"', 'name = "высокий"', "у зон должны быть разные названия"),
    ("[gates]", "[gates]\nmin_weeks = 3", "в разделе «gates» неизвестный параметр min_weeks"),
    ("[early_warning]", "[early_warnings]\nshare_of_weeks = 0.8\n[early_warning]", "неизвестный раздел «early_warnings»"),
    ('id = "cur-tomsk-default-v1"', "id = 1", "id должен быть непустой строкой"),
    ('required_platforms = ["vk", "ok", "telegram"]', "required_platforms = []", "required_platforms должен быть непустым"),
    ('required_platforms = ["vk", "ok", "telegram"]', 'required_platforms = ["vk", "ok", "vk"]',
     "в required_platforms платформа указана дважды: vk"),
    # values that disagree with each other or with the product
    ('[indicators.A2]\nblock = "A"\nweight = 4', '[indicators.A2]\nblock = "A"\nweight = 5', "сумма весов показателей равна 101"),
    ("[indicators.E2]", "[indicators.F9]", "неизвестный показатель: F9"),
    ('effective_from = "2025Q1"', 'effective_from = "2025-1"', "неверное обозначение квартала «2025-1»"),
    ("approved_on = 2024-12-10", 'approved_on = "вчера"', "approved_on должно быть датой"),
    ("body = 0.50", "body = 0.60", "должны в сумме давать 1"),
    ('[indicators.B1]\nblock = "B"', '[indicators.B1]\nblock = "Z"', "неизвестный блок «Z»"),
    (", institution = 3 }", " }", "нет нормы публикаций в неделю для: institution"),
    ("full_at = 0.9\n", "", "показатель E1: нет параметра full_at"),
    ("share_of_weeks = 0.8\n", "", "в разделе «early_warning» нет параметра share_of_weeks"),
    # the style detector's section (scoring/style.py)
    ("\nscored = false", "\nscored = true", "scored = true не поддерживается"),
    ("threshold = 0.5 ", "threshold = 1.5 ", "threshold должен быть числом больше 0 и меньше 1"),
    ("emoji = -0.512", "emodji = -0.512", "нет числа для: emoji"),
    ("min_words = 5 ", "min_words = -1 ", "min_words должен быть целым"),
    ("readability = { base = 206.835,", "readability = { base = \"x\",", "readability должен задавать числа"),
]


@pytest.mark.parametrize("old, new, message", BAD_VALUES)
def test_a_bad_value_is_named(old, new, message):
    _assert_refused(_edit(old, new), message)


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


def test_a_section_that_is_not_a_table_is_named():
    # [composite] written as a single number at the top of the file (its table's lines moved under another one)
    text = _edit("[composite]\n", "[press_release.moved]\n").replace(
        'effective_from = "2025Q1"\n', 'effective_from = "2025Q1"\ncomposite = 0.5\n', 1)
    with pytest.raises(MethodologyError, match="«composite» должен быть разделом \\(таблицей\\) TOML"):
        parse_methodology(text, "копия.toml")

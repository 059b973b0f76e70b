"""«Публикации по неделям»: the heatmap's row labels are distinct without database numbers on the screen (headless
check of issue 22 saw «ОГАУ «Дом-интернат для престарелых и инвалидов… · ВКонтакте #1113», «… #294» for the
four districts' homes, cut alike at the end)."""
import re

from core.labels import shorten_middle
from scoring.rating import score_quarter
from scoring.views.weekly import weekly_pages
from tests.factories import scoring_input
from tests.test_scoring import M, Q1, TOMSK, covered, vk_page, weekly_posts
from tests.test_views_screens import ENDED

HOME = "ОГАУ «Дом-интернат для престарелых и инвалидов {} района»"
DISTRICTS = ("Бакчарского", "Шегарского", "Асиновского", "Кожевниковского")


def _rating(pages, owners):
    posts = [p for page in pages for p in weekly_posts(page["page_id"], [1] * 13)]
    return score_quarter(scoring_input(owners, pages, posts, [covered(page["page_id"]) for page in pages]),
                         M, Q1, TOMSK, ENDED)


def test_names_cut_alike_keep_their_district_and_no_page_number():
    owners = [{"owner_id": i, "owner_name": HOME.format(d), "kind": "institution"} for i, d in enumerate(DISTRICTS, 1)]
    pages = [vk_page(1000 + i, i) for i in range(1, 5)]
    labels = weekly_pages(_rating(pages, owners), [], None, []).pages["label"].to_list()
    assert len(set(labels)) == 4
    assert not any(re.search(r"#\d", label) for label in labels), labels
    for district in DISTRICTS:
        assert sum(district in label for label in labels) == 1, labels
    assert all(label.endswith(" · ВКонтакте") and len(label.split(" · ")[0]) <= 55 for label in labels)


def test_two_pages_of_one_owner_on_one_platform_told_apart_by_their_address():
    owners = [{"owner_id": 1, "owner_name": "Департамент А", "kind": "executive_body"}]
    pages = [vk_page(1001, 1), vk_page(1002, 1)]
    labels = weekly_pages(_rating(pages, owners), [], None, []).pages["label"].to_list()
    assert sorted(labels) == ["Департамент А · ВКонтакте (vk.com/p1001)", "Департамент А · ВКонтакте (vk.com/p1002)"]


def test_shorten_middle_keeps_the_end_and_the_limit():
    assert shorten_middle("Короткое имя", 55) == "Короткое имя"
    cut = shorten_middle(HOME.format("Бакчарского"), 55)
    assert cut.startswith("ОГАУ «Дом-интернат") and cut.endswith("Бакчарского района»") and " … " in cut
    for limit in (12, 20, 40, 55):
        assert len(shorten_middle("Департамент по вопросам общественной безопасности Томской области", limit)) <= limit
    assert len(shorten_middle("x" * 80, 20)) <= 20

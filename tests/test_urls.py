import pytest

from loaders.urls import PageRef, UrlError, normalize_page_url, parse_post_url, platform_id_from_registry


@pytest.mark.parametrize("url, expected", [
    ("https://vk.com/club123", PageRef("vk", "club123", "-123")),
    ("http://m.vk.com/public123/", PageRef("vk", "club123", "-123")),
    ("vk.com/Depfin_Tomsk?w=wall-1_2", PageRef("vk", "depfin_tomsk")),
    ("\u00a0https://www.vk.com/depfin_tomsk\u00a0", PageRef("vk", "depfin_tomsk")),
    ("https://vk.com/id4004", PageRef("vk", "id4004", "4004")),
    ("https://ok.ru/group/70000000000001", PageRef("ok", "group/70000000000001", "70000000000001")),
    ("ok.ru/group70000000000001", PageRef("ok", "group/70000000000001", "70000000000001")),
    ("https://ok.ru/tomskadm", PageRef("ok", "tomskadm")),
    ("https://t.me/s/DepFin_Tomsk", PageRef("telegram", "depfin_tomsk")),
    ("t.me/c/1234567890/15", PageRef("telegram", "c/1234567890", "1234567890")),
])
def test_page_urls_normalise_to_one_key(url, expected):
    assert normalize_page_url(url) == expected


def test_bare_name_with_platform_and_mismatch():
    assert normalize_page_url("@depfin_tomsk", "telegram") == PageRef("telegram", "depfin_tomsk")
    with pytest.raises(UrlError, match="ведёт на ВКонтакте"):
        normalize_page_url("https://vk.com/abc_def", "telegram")
    with pytest.raises(UrlError, match="не является ссылкой"):
        normalize_page_url("https://example.com/page")


def test_post_urls():
    assert parse_post_url("https://vk.com/wall-109125816_4521").post_id == "4521"
    assert parse_post_url("https://vk.com/wall-109125816_4521").page.platform_id == "-109125816"
    ok = parse_post_url("https://ok.ru/group/555/topic/777")
    assert (ok.page.key, ok.post_id) == ("group/555", "777")
    tg = parse_post_url("https://t.me/depfin_tomsk/42")
    assert (tg.page.key, tg.post_id) == ("depfin_tomsk", "42")


def test_registry_platform_ids():
    assert platform_id_from_registry("vk", "123") == "-123"  # a positive VK id is a community
    assert platform_id_from_registry("vk", "-123") == "-123"
    assert platform_id_from_registry("telegram", "-1001234567890") == "1234567890"
    assert platform_id_from_registry("ok", "70000000000001.0") == "70000000000001"

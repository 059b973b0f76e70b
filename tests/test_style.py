"""Press-release style detector (scoring/style.py): accuracy on the held-out part of the labelled set, the rules
behind each signal, and `cli.py style` (the methodology's [press_release] section is validated with the rest of
the file in test_methodology.py)."""
import json

import pytest

from scoring import style
from scoring.methodology import methodology_for
from tests.calibrate_style import labelled
from tests.test_cli import cli

SETTINGS = style.StyleSettings.from_methodology(methodology_for("2026Q1"))


def _signals(text: str):
    return style.signals(text, SETTINGS)


def test_held_out_accuracy_precision_and_recall():
    held_out = [i for i in labelled() if i["split"] == "test"]
    assert len(held_out) >= 75
    results = style.assess_many([i["text"] for i in held_out], SETTINGS)
    truth = [i["label"] == "press_release" for i in held_out]
    predicted = [r.press_release for r in results]
    tp = sum(p and t for p, t in zip(predicted, truth))
    accuracy = sum(p == t for p, t in zip(predicted, truth)) / len(truth)
    assert accuracy >= 0.9
    assert tp / sum(predicted) >= 0.9 and tp / sum(truth) >= 0.9  # precision, recall
    assert all(r.reasons and 0 <= r.score <= 1 for r in results)  # every decision says why


def test_labelled_set_has_at_least_150_texts_of_each_kind():
    items = labelled()
    assert sum(i["label"] == "press_release" for i in items) >= 150
    assert sum(i["label"] == "conversational" for i in items) >= 150


def test_cliches_are_found_in_any_form_and_with_a_word_between():
    found = _signals("Состоялось очередное заседание коллегии. В рамках проекта было отмечено многое.").cliches
    assert "Состоялось очередное заседание" in found and "В рамках" in found and "было отмечено" in found
    assert _signals("Мы гуляли в парке и смотрели на уток.").cliches == []


def test_nominalisations_come_from_verbs_in_the_dictionary():
    words = _signals("Обеспечение и осуществление реализации решения. Здание стоит у станции.").nominalisations
    assert {"Обеспечение", "осуществление", "реализации", "решения"} <= set(words)
    assert "Здание" not in words and "станции" not in words  # a noun in -ние/-ция without a verb behind it


def test_passive_participles_and_reflexive_passives():
    passive = _signals("Проведено заседание. Работа осуществляется. Школа организована. Мне нравится каток.").passive
    assert passive == ["Проведено", "осуществляется", "организована"]


def test_official_in_the_third_person_and_quoted_speech():
    s = _signals("Губернатор Томской области Владимир Мазур отметил рост. «Мы продолжим работу», – подчеркнул он.")
    assert s.reporting == ["Губернатор … отметил"]
    assert s.first_person == []  # the quoted «мы» is the official's voice, not the page's


def test_address_to_the_reader():
    s = _signals("Друзья, а вы были на катке? Приходите! Давайте кататься вместе 😊")
    assert {"вы", "Приходите", "Давайте"} <= set(s.address) and s.questions == 1 and s.emoji == 1


def test_sentences_and_readability_by_oborneva():
    s = _signals("В.М. Мазур провёл совещание в г. Томске. Итоги подведены.")
    assert s.sentences == 2 and s.words == 8  # initials are not words, «г.» does not end a sentence
    expected = 206.835 - 1.3 * 8 / 2 - 60.1 * s.syllables / 8
    assert style.reading_ease(s, SETTINGS) == pytest.approx(expected)


def test_a_short_text_is_not_judged():
    result = style.assess("С праздником!", SETTINGS)
    assert result.press_release is False and not result.rated and "слишком короткий" in result.reasons[0]


def test_decisions_and_reasons_on_both_sides():
    release = style.assess("В целях обеспечения реализации национального проекта осуществляется строительство "
                           "объектов. Губернатор поручил обеспечить завершение работ в установленный срок.", SETTINGS)
    post = style.assess("Ребята, кто уже видел новый каток? Приходите вечером, будет музыка 🎶", SETTINGS)
    assert release.press_release and release.score > 0.9 and any("канцелярские" in r for r in release.reasons)
    assert "в целях обеспечения" in [p.lower() for p in release.phrases]
    assert not post.press_release and post.score < 0.25 and any("обращение к читателю" in r for r in post.reasons)


def test_cli_style_json_in_order(tmp_path, sqlite_url):
    texts = ["Состоялось заседание коллегии департамента, на котором было отмечено выполнение плана мероприятий "
             "в рамках государственной программы.", "А вы уже катались на новом катке? Пишите в комментариях 👇"]
    for content in (texts, {"texts": texts}):
        path = tmp_path / "drafts.json"
        path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
        result = cli("style", str(path), "--json", url=sqlite_url)
        assert result.returncode == 0, result.stderr
        out = json.loads(result.stdout)
        assert [r["press_release"] for r in out] == [True, False]
        assert all(isinstance(r["score"], float) and r["reasons"] for r in out)
    (tmp_path / "bad.json").write_text('{"texts": 5}', encoding="utf-8")
    result = cli("style", str(tmp_path / "bad.json"), "--json", url=sqlite_url)
    assert result.returncode != 0 and result.stderr.startswith("Ошибка: ") and "нужен список" in result.stderr


def _posts():
    from datetime import datetime, timezone

    import polars as pl
    release = ("В рамках реализации национального проекта состоялось заседание рабочей группы, на котором было "
               "отмечено выполнение плана мероприятий и даны поручения по обеспечению контроля.")
    chat = "Друзья, а вы уже были на новом катке? Приходите вечером, будет музыка 🎶"
    moment = datetime(2026, 2, 3, 5, tzinfo=timezone.utc)
    rows = [(1, "a", release), (1, "b", release), (1, "c", chat), (1, "d", "Ура!"), (2, "e", chat)]
    return pl.DataFrame({"page_id": [r[0] for r in rows], "post_id": [r[1] for r in rows],
                         "published_at": [moment] * len(rows), "text": [r[2] for r in rows]})


def test_page_share_examples_and_recommendation():
    from scoring.explain import style_recommendation
    pages = {r["page_id"]: r for r in style.page_styles(_posts(), SETTINGS).iter_rows(named=True)}
    first, second = pages[1], pages[2]
    assert (first["posts_rated"], first["press_releases"]) == (3, 2)  # «Ура!» is too short to judge
    assert first["share"] == pytest.approx(2 / 3) and second["share"] == 0
    assert len(first["examples"]) == 1  # the same text posted twice is one example
    assert "[В рамках реализации]" in first["examples"][0]["text"] and "<" not in first["examples"][0]["text"]
    advice = style_recommendation(first, SETTINGS)
    assert advice.startswith("2 из 3 публикаций (67 %) написаны как пресс-релиз") and "§2 п.8" in advice
    assert style_recommendation(second, SETTINGS) is None


def test_examples_of_equal_likelihood_do_not_depend_on_the_row_order():
    """The same posts in any order show the same examples: equal likelihoods go newest first, then by text."""
    from datetime import datetime, timezone

    import polars as pl
    release = ("В рамках реализации национального проекта состоялось заседание рабочей группы, на котором было "
               "отмечено выполнение плана мероприятий и даны поручения по обеспечению контроля.")
    # the same wording about different places: the same signals, hence the same likelihood
    texts = [release.replace("рабочей группы", f"рабочей группы {n}") for n in ("№ 1", "№ 2", "№ 3", "№ 4", "№ 5")]
    days = [datetime(2026, 2, d, 5, tzinfo=timezone.utc) for d in (3, 9, 5, 1, 7)]
    posts = pl.DataFrame({"page_id": [1] * 5, "post_id": list("abcde"), "published_at": days, "text": texts})
    scores = style.post_styles(posts, SETTINGS)["score"].unique()
    assert scores.len() == 1  # the case this test is about: a tie in likelihood
    shown = [[(e["published_at"], e["score"]) for e in style.page_styles(frame, SETTINGS)["examples"][0]]
             for frame in (posts, posts.reverse(), posts.sample(fraction=1.0, shuffle=True, seed=7))]
    newest = sorted(days, reverse=True)[:SETTINGS.examples]
    assert shown[0] == shown[1] == shown[2] and [moment for moment, _ in shown[0]] == newest


def test_workbook_sheet_with_the_style_of_publications():
    import io
    from zoneinfo import ZoneInfo

    import openpyxl

    from reports.rating_workbook import rating_workbook
    from scoring.tables import from_payload
    from tests.test_sensitivity import _two_bodies
    payload = _two_bodies()
    payload |= {"quarter_label": "I квартал 2026", "weeks": [], "streams": [], "batch_ids": [],
                "methodology_info": payload["methodology_info"] | {
                    "id": "m", "title": "м", "approved_on": "2024-12-10", "effective_from": "2025Q1",
                    "posts_per_week": {}, "zones": [{"name": "высокий", "min": 0, "color": "#2E7D32"}]}}
    for page in payload["pages"]:
        page |= {"url": f"https://vk.com/p{page['page_id']}", "owner": f"Орган {page['owner_id']}",
                 "owner_kind": "executive_body"}
    styles = {r["page_id"]: r | {"recommendation": "писать проще"}
              for r in style.page_styles(_posts(), SETTINGS).iter_rows(named=True)}
    book = openpyxl.load_workbook(io.BytesIO(rating_workbook(from_payload(payload), ZoneInfo("Asia/Tomsk"),
                                                             style=styles)))
    sheet = book["Стиль публикаций"]
    rows = list(sheet.iter_rows(values_only=True))[1:]  # row 1 is the sheet's title (quarter, approval status)
    assert rows[0][:6] == ("Владелец", "Платформа", "Ссылка", "Публикаций с текстом", "Как пресс-релиз", "Доля")
    assert rows[1][3:5] == (3, 2) and rows[1][7].startswith("[В рамках реализации]")

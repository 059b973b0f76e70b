"""Issue 20 in `python cli.py bench`: the place ranges of «Рейтинг» (scoring.sensitivity) at the run's scale, and
the style of a Tomsk quarter's publications (scoring.style.page_styles) — ~61,000 post texts made from the labelled
set's sentences (recombined with numbers, so most texts are distinct; the vocabulary is that of the set, ~9,000
word forms: a real quarter has more, and each new word form costs one pymorphy3 analysis the first time).
`style_cold_s` starts with empty caches (a new process); `style_next_version_s` is the next data version in the same
process (1 % new texts: each text already judged is reused), `style_warm_s` the same texts again (the app also
caches the result per data version, so a rerun of a screen costs nothing)."""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import polars as pl

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "data" / "style_labelled.json"


def synthetic_texts(n: int, pages: int, seed: int = 20) -> pl.DataFrame:
    """n posts over `pages` pages: each a page's own style (press-release pages and conversational ones) built from
    2–5 sentences of the labelled texts of that kind, a number changed so that texts rarely repeat."""
    import re
    rng = np.random.default_rng(seed)
    items = json.loads(LABELLED.read_text(encoding="utf-8"))["texts"]
    sentences = {label: [s for i in items if i["label"] == label for s in re.split(r"(?<=[.!?])\s+", i["text"]) if s]
                 for label in ("press_release", "conversational")}
    page_ids = rng.integers(1, pages + 1, n)
    press_page = rng.random(pages + 1) < 0.4
    start = datetime(2026, 1, 5, tzinfo=timezone.utc)
    texts = []
    for page in page_ids:
        pool = sentences["press_release" if (press_page[page] ^ (rng.random() < 0.2)) else "conversational"]
        chosen = [pool[k] for k in rng.integers(0, len(pool), rng.integers(2, 6))]
        texts.append(" ".join(chosen).replace("2026", str(rng.integers(1990, 2030)), 1) + f" {rng.integers(1, 999)}")
    return pl.DataFrame({"page_id": page_ids.astype(np.int64), "post_id": [str(i) for i in range(n)],
                         "published_at": [start + timedelta(minutes=int(k)) for k in rng.integers(0, 130_000, n)],
                         "text": texts}).with_columns(pl.col("published_at").dt.cast_time_unit("us"))


def measure(rating, m, posts: int, pages: int, repeat: int) -> dict:
    from benchmark.run import median_time
    from scoring import sensitivity, style
    from scoring.tables import from_rating
    tables = from_rating(rating)
    result: dict = {}
    result["sensitivity_s"], ranges = median_time(lambda: sensitivity.place_ranges(tables, m), repeat)
    result["sensitivity_combinations"] = ranges["settings"]["combinations"]
    result["sensitivity_rows"] = sum(len(ranges[t]) for t in sensitivity.TABLES)
    frame = synthetic_texts(posts, pages)
    settings = style.StyleSettings.from_methodology(m)
    style._WORDS.clear()
    style._DECISIONS.clear()
    started = time.perf_counter()
    styles = style.page_styles(frame, settings)
    result["style_cold_s"] = time.perf_counter() - started
    # the next data version: the same texts and 1 % new ones (an upload during the quarter)
    fresh = synthetic_texts(posts // 100, pages, seed=21).with_columns(pl.col("post_id") + "n")
    next_version = pl.concat([frame, fresh])
    result["style_next_version_s"] = median_time(lambda: style.page_styles(next_version, settings), 1)[0]
    result["style_warm_s"] = median_time(lambda: style.page_styles(frame, settings), max(1, min(repeat, 3)))[0]
    result["style_posts"], result["style_pages"] = frame.height, styles.height
    result["style_distinct_texts"] = frame["text"].n_unique()
    result["style_word_forms"] = len(style._WORDS)
    return result


def report_rows(result: dict, num) -> list[tuple]:
    if "sensitivity_s" not in result:
        return []
    return [(f"Устойчивость мест: {result['sensitivity_combinations']} сочетаний весов, "
             f"{num(result['sensitivity_rows'], 0)} строк", f"{num(result['sensitivity_s'], 3)} с", "", ""),
            (f"Стиль публикаций Томского квартала ({num(result['style_posts'], 0)} текстов), первый расчёт",
             f"{num(result['style_cold_s'], 2)} с", "", ""),
            ("— следующая версия данных (+1 % новых текстов)", f"{num(result['style_next_version_s'], 2)} с", "", ""),
            ("— те же тексты снова", f"{num(result['style_warm_s'], 2)} с", "", "")]

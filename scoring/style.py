"""Press-release style detector (Порядок §2 п.8: a conversational style of social networks, not press releases).

For a Russian text: the likelihood that it is written as a press release, in [0, 1], and the reasons in plain
Russian. Signals (each one a number, combined by the logistic weights of the methodology's [press_release]
section, calibrated on tests/data/style_labelled.json):
- sentence length: mean words per sentence and the share of long sentences;
- nominalisations: deverbal nouns («проведение», «обеспечение», «реализация»), found with pymorphy3 — a noun
  whose lemma has a nominal suffix and a verb in the dictionary it comes from («обеспечение» ← «обеспечить»);
- passive constructions: passive participles (PRTS/PRTF pssv: «проведено», «организована») and reflexive
  passives of transitive verbs («осуществляется», «проводится»);
- bureaucratic clichés: the lexicon data/style/cliches.txt, matched on lemmas;
- third-person reporting of an official: an official (data/style/officials.txt) and a reporting verb in the past
  tense (data/style/reporting_verbs.txt) in one sentence («Губернатор … отметил»);
- address to the reader and the page's own voice: «вы/ты», 2nd person and imperative verbs, questions, first
  person, exclamations, emojis (outside quoted speech: a quoted official's «мы» is not the page's voice);
- readability: Flesch reading ease with Oborneva's coefficients for Russian (the coefficients live in the file).
Pure: no network, no database; the morphological dictionary ships with pymorphy3-dicts-ru.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import polars as pl

from core.config import DATA_DIR
from core.labels import number_ru

STYLE_DIR = DATA_DIR / "style"
# the signals the methodology's [press_release.weights] weighs (every one must have a weight there)
FEATURES = ("sentence_length", "long_sentences", "nominalisations", "passive", "cliches", "official_reporting",
            "reader_address", "questions", "first_person", "exclamations", "emoji", "difficulty")

WORD_RE = re.compile(r"[А-Яа-яЁёA-Za-z]+(?:-[А-Яа-яЁёA-Za-z]+)*")
VOWELS = re.compile(r"[аеёиоуыэюяaeiouy]", re.IGNORECASE)
URL_RE = re.compile(r"https?://\S+|www\.\S+|\b[\w-]+\.(?:ru|рф|com|org)\S*", re.IGNORECASE)
MENTION_RE = re.compile(r"\[(?:id|club|public)\d+\|([^\]]*)\]")
HASHTAG_RE = re.compile(r"#[\w@]+")
QUOTE_RE = re.compile(r"«[^«»]*»|\"[^\"]*\"|“[^”]*”")
# an initial («В.», «В.М.») or a common abbreviation does not end a sentence
INITIALS_RE = re.compile(r"\b(?:[А-ЯЁ]\.\s?){1,2}(?=\s*[А-ЯЁ][а-яё])")
ABBREVIATION_RE = re.compile(r"\b(?:г|гг|ул|им|д|пр|пл|обл|р-н|руб|тыс|млн|млрд|т\.д|т\.п|т\.е|т\.к|др|см|стр|ст|с|п"
                             r"|пос|корп|каб|тел|мин|час|ч|кв|км|га|чел)\.(?=\s*[А-Яа-яЁё\d])")
SENTENCE_END_RE = re.compile(r"(?<=[.!?…])\s+|\n+")
EMOJI_RE = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D\u2190-\u21FF\u2300-\u23FF]")
EMOJI_CHAR_RE = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B50\u2B55\u23F0-\u23FF\u231A\u231B]")

# word flags from the morphological analysis of one word form
NOMINAL, PASSIVE, SECOND, IMPERATIVE, FIRST, PAST, OFFICIAL, REPORTING = (1 << i for i in range(8))
# nominal suffixes of a lemma and the infinitive endings of the verb it may come from
DEVERBAL = (("ирование", ("ировать",)), ("ование", ("овать",)), ("ение", ("ить", "еть", "ать", "ять", "ти", "сти")),
            ("ание", ("ать", "аться")), ("яние", ("ять",)), ("тие", ("ть",)), ("ация", ("ировать", "овать", "ать")),
            ("иция", ("ировать",)), ("ция", ("ировать", "овать")), ("ка", ("ить", "ать", "ять")))
# consonant alternations between a verb's stem and its noun («осуществить» → «осуществление»)
ALTERNATIONS = (("вл", "в"), ("пл", "п"), ("бл", "б"), ("мл", "м"), ("фл", "ф"), ("жд", "д"), ("ж", "з"),
                ("ж", "д"), ("ч", "т"), ("щ", "ст"), ("щ", "т"), ("ш", "с"))
PRONOUNS_SECOND = {"вы", "ты", "ваш", "твой"}
PRONOUNS_FIRST = {"я", "мы", "наш", "мой"}
BASE_READABILITY = 100.0  # «easy» end of the Flesch scale: difficulty = (100 − FRE) ÷ 50


@dataclass(frozen=True)
class StyleSettings:
    """The [press_release] section of the methodology: weights, thresholds, readability coefficients."""
    threshold: float
    long_sentence_words: int
    min_words: int
    weights: dict[str, float]
    bias: float
    centres: dict[str, float]  # a signal's neutral value: above it, its weight pushes one way, below — the other
    readability: dict[str, float]
    page_share: float
    examples: int
    scored: bool = False
    fingerprint: str = ""  # the methodology file's hash: results of one text are reused while it is the same

    @classmethod
    def from_methodology(cls, m) -> "StyleSettings":
        conf = m.press_release
        readability = conf.readability
        return cls(float(conf.threshold), int(conf.long_sentence_words), int(conf.min_words),
                   {k: float(conf.weights[k]) for k in FEATURES}, float(conf.bias),
                   {k: float(conf.centres[k]) for k in FEATURES},
                   {"base": readability.base, "sentence": readability.sentence, "syllables": readability.syllables},
                   float(conf.page_share), int(conf.examples), bool(conf.scored), m.sha256)


@dataclass(frozen=True)
class StyleResult:
    press_release: bool  # the decision (a text shorter than min_words is never called a press release)
    score: float  # the likelihood in [0, 1]
    reasons: list[str]
    phrases: list[str] = field(default_factory=list)  # the press-release phrases found, in the text's order
    features: dict[str, float] = field(default_factory=dict)
    rated: bool = True  # False: too short to tell; left out of a page's share


@dataclass(frozen=True)
class Lexicon:
    cliches: dict[str, list[tuple[tuple[str, ...], tuple[bool, ...], str]]]  # first lemma → (lemmas, gap?, text)
    officials: frozenset[str]
    reporting: frozenset[str]


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


@lru_cache(maxsize=1)
def morph():
    import pymorphy3
    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=4)
def lexicon(directory: Path = STYLE_DIR) -> Lexicon:
    cliches: dict[str, list] = {}
    for phrase in _lines(directory / "cliches.txt"):
        lemmas, gaps = [], []
        for part in phrase.split():
            if part == "…":
                if gaps:
                    gaps[-1] = True
                continue
            lemmas.append(lemma_of(part.lower()))
            gaps.append(False)
        cliches.setdefault(lemmas[0], []).append((tuple(lemmas), tuple(gaps), phrase.replace(" … ", " … ")))
    for entries in cliches.values():
        entries.sort(key=lambda e: -len(e[0]))  # the longest phrase at a position wins
    return Lexicon(cliches, frozenset(lemma_of(w) for w in _lines(directory / "officials.txt")),
                   frozenset(_lines(directory / "reporting_verbs.txt")))


def lemma_of(word: str) -> str:
    return analyse_word(word)[0]


_WORDS: dict[str, tuple[str, int, int]] = {}


def analyse_word(word: str) -> tuple[str, int, int]:
    """(lemma, flags, syllables) of a lower-case word form; cached for the process (word forms repeat a lot)."""
    found = _WORDS.get(word)
    if found is None:
        found = _WORDS[word] = _analyse(word)
    return found


def _verb_exists(candidate: str) -> bool:
    m = morph()
    return m.word_is_known(candidate) and any(p.tag.POS == "INFN" for p in m.parse(candidate))


def _deverbal(lemma: str) -> bool:
    """A noun lemma that comes from a verb: a nominal suffix and that verb in the dictionary."""
    for suffix, endings in DEVERBAL:
        if not lemma.endswith(suffix) or len(lemma) - len(suffix) < 3:
            continue
        stem = lemma[: -len(suffix)]
        stems = [stem] + [stem[: -len(a)] + b for a, b in ALTERNATIONS if stem.endswith(a)]
        if any(_verb_exists(s + e) for s in stems for e in endings):
            return True
    return False


def _analyse(word: str) -> tuple[str, int, int]:
    syllables = max(1, len(VOWELS.findall(word)))
    if not re.match(r"[а-яё]", word):
        return word, 0, syllables
    parse = morph().parse(word)[0]
    tag, lemma, flags = parse.tag, parse.normal_form, 0
    pos = tag.POS
    if pos == "NOUN" and "inan" in tag and _deverbal(lemma):
        flags |= NOMINAL
    if pos in ("PRTS", "PRTF") and "pssv" in tag:
        flags |= PASSIVE
    if pos == "VERB" and word.endswith(("ся", "сь")) and ("3per" in tag or "past" in tag) and "impf" in tag:
        active = word[:-2]
        if morph().word_is_known(active) and any("tran" in p.tag for p in morph().parse(active) if p.tag.POS == "VERB"):
            flags |= PASSIVE
    if "2per" in tag or lemma in PRONOUNS_SECOND:
        flags |= SECOND
    if "impr" in tag:
        flags |= IMPERATIVE
    if "1per" in tag or lemma in PRONOUNS_FIRST:
        flags |= FIRST
    if "past" in tag and pos == "VERB":
        flags |= PAST
    return lemma, flags, syllables


def _clean(text: str) -> str:
    text = MENTION_RE.sub(r"\1", text or "")
    return HASHTAG_RE.sub(" ", URL_RE.sub(" ", text))


def _sentences(text: str) -> list[str]:
    """Sentences of a post: ends of sentences and line breaks (a post's lines are its sentences)."""
    protected = ABBREVIATION_RE.sub(lambda m: m.group(0).replace(".", "·"), INITIALS_RE.sub("", text))
    return [s for s in SENTENCE_END_RE.split(protected) if WORD_RE.search(s)]


def _cliches(lemmas: list[str], words: list[str], lex: Lexicon) -> list[str]:
    found, i, n = [], 0, len(lemmas)
    while i < n:
        candidates = lex.cliches.get(lemmas[i])
        if candidates is None:
            i += 1
            continue
        matched = 0
        for phrase, gaps, _text in candidates:
            if not any(gaps):  # contiguous: one slice comparison
                if tuple(lemmas[i: i + len(phrase)]) == phrase:
                    found.append(" ".join(words[i: i + len(phrase)]))
                    matched = len(phrase)
                    break
                continue
            j, ok = i, True
            for k, lemma in enumerate(phrase):
                if k == 0:
                    continue
                window = 3 if gaps[k - 1] else 1
                nxt = next((j + d for d in range(1, window + 1) if j + d < len(lemmas) and lemmas[j + d] == lemma), None)
                if nxt is None:
                    ok = False
                    break
                j = nxt
            if ok:
                found.append(" ".join(words[i: j + 1]))
                matched = j + 1 - i
                break
        i += max(1, matched)
    return found


@dataclass
class _Signals:
    words: int = 0
    sentences: int = 0
    long_sentences: int = 0
    syllables: int = 0
    nominalisations: list = field(default_factory=list)
    passive: list = field(default_factory=list)
    cliches: list = field(default_factory=list)
    reporting: list = field(default_factory=list)
    address: list = field(default_factory=list)
    first_person: list = field(default_factory=list)
    questions: int = 0
    exclamations: int = 0
    emoji: int = 0


def signals(text: str, settings: StyleSettings, lex: Lexicon | None = None) -> _Signals:
    lex = lex or lexicon()
    clean = _clean(text)
    out = _Signals(emoji=len(EMOJI_CHAR_RE.findall(clean)))
    own_voice = QUOTE_RE.sub(" ", clean)  # quoted speech is the official's voice, not the page's
    out.questions = own_voice.count("?")
    out.exclamations = own_voice.count("!")
    for word in WORD_RE.findall(own_voice):
        _lemma, flags, _ = analyse_word(word.lower())
        if flags & (SECOND | IMPERATIVE):
            out.address.append(word)
        elif flags & FIRST:
            out.first_person.append(word)
    for sentence in _sentences(EMOJI_RE.sub(" ", clean)):
        words = WORD_RE.findall(sentence)
        analysed = [analyse_word(w.lower()) for w in words]
        out.sentences += 1
        out.words += len(words)
        out.long_sentences += len(words) > settings.long_sentence_words
        out.syllables += sum(a[2] for a in analysed)
        lemmas = [a[0] for a in analysed]
        official = next((w for w, a in zip(words, analysed) if a[0] in lex.officials), None)
        for w, (lemma, flags, _) in zip(words, analysed):
            if flags & NOMINAL:
                out.nominalisations.append(w)
            if flags & PASSIVE:
                out.passive.append(w)
            if official and flags & PAST and lemma in lex.reporting:
                out.reporting.append(f"{official} … {w}")
                official = None
        out.cliches += _cliches(lemmas, words, lex)
    return out


def reading_ease(s: _Signals, settings: StyleSettings) -> float:
    """Flesch reading ease with Oborneva's coefficients for Russian (the methodology's readability)."""
    words, sentences = max(s.words, 1), max(s.sentences, 1)
    c = settings.readability
    return c["base"] - c["sentence"] * words / sentences - c["syllables"] * s.syllables / words


def features(s: _Signals, settings: StyleSettings) -> dict[str, float]:
    """The signals as the numbers the weights multiply (bounded, so one very long text cannot dominate)."""
    words, sentences = max(s.words, 1), max(s.sentences, 1)
    mean_length = words / sentences
    return {
        "sentence_length": min(mean_length, 40.0) / 10.0,
        "long_sentences": s.long_sentences / sentences,
        "nominalisations": min(10.0 * len(s.nominalisations) / words, 3.0),
        "passive": min(len(s.passive) / sentences, 2.0),
        "cliches": math.log1p(len(s.cliches)),
        "official_reporting": min(len(s.reporting), 2),
        "reader_address": math.log1p(len(s.address)),
        "questions": min(s.questions, 3),
        "first_person": math.log1p(len(s.first_person)),
        "exclamations": min(s.exclamations, 3),
        "emoji": math.log1p(min(s.emoji, 10)),
        "difficulty": max(-1.0, min((BASE_READABILITY - reading_ease(s, settings)) / 50.0, 3.0)),
    }


def _quoted(items: list[str], limit: int = 4) -> str:
    unique = list(dict.fromkeys(i.lower() if " … " not in i else i for i in items))
    shown = ", ".join(f"«{i}»" for i in unique[:limit])
    return shown + (f" и ещё {len(unique) - limit}" if len(unique) > limit else "")


def _reasons(s: _Signals, x: dict[str, float], contributions: dict[str, float], press: bool,
             settings: StyleSettings) -> list[str]:
    words, sentences = max(s.words, 1), max(s.sentences, 1)
    ease = reading_ease(s, settings)
    texts = {
        "cliches": f"канцелярские обороты: {_quoted(s.cliches)}" if s.cliches else None,
        "sentence_length": (f"длинные предложения: в среднем {number_ru(words / sentences)} слов"
                            if press else f"короткие предложения: в среднем {words / sentences:.0f} слов"),
        "long_sentences": (f"предложений длиннее {settings.long_sentence_words} слов: {s.long_sentences} из "
                           f"{s.sentences}") if s.long_sentences else None,
        "nominalisations": (f"отглагольные существительные: {_quoted(s.nominalisations)} "
                            f"({number_ru(10 * len(s.nominalisations) / words, 1)} на 10 слов)"
                            if s.nominalisations else "нет отглагольных существительных"),
        "passive": (f"страдательные обороты: {_quoted(s.passive)}" if s.passive
                    else "нет страдательных оборотов"),
        "official_reporting": (f"о должностном лице в третьем лице: {_quoted(s.reporting, 2)}"
                               if s.reporting else None),
        "reader_address": (f"обращение к читателю: {_quoted(s.address)}" if s.address
                           else "нет обращения к читателю (ни «вы», ни призыва)"),
        "questions": f"вопросы к читателю: {s.questions}" if s.questions else "нет вопросов к читателю",
        "first_person": f"от первого лица: {_quoted(s.first_person)}" if s.first_person else None,
        "exclamations": f"восклицания: {s.exclamations}" if s.exclamations else None,
        "emoji": f"эмодзи: {s.emoji}" if s.emoji else None,
        "difficulty": (f"трудно читать: индекс удобочитаемости {min(max(ease, 0), 100):.0f} из 100 (Флеш — Оборнева)"
                       if press else
                       f"легко читать: индекс удобочитаемости {min(max(ease, 0), 100):.0f} из 100 (Флеш — Оборнева)"),
    }
    sign = 1 if press else -1
    ordered = sorted((name for name in FEATURES if sign * contributions[name] > 0.05 and texts.get(name)),
                     key=lambda name: -sign * contributions[name])
    return [texts[name] for name in ordered][:5]


def assess(text: str, settings: StyleSettings, lex: Lexicon | None = None, with_reasons: bool = True) -> StyleResult:
    """The press-release likelihood of one text, the decision and its reasons (`with_reasons=False`: the decision
    and the phrases only, for a quarter's posts)."""
    s = signals(text, settings, lex)
    x = features(s, settings)
    contributions = {name: settings.weights[name] * (x[name] - settings.centres[name]) for name in FEATURES}
    z = settings.bias + sum(contributions.values())
    score = 1.0 / (1.0 + math.exp(-z))
    if s.words < settings.min_words:
        return StyleResult(False, score, [f"слишком короткий текст, чтобы судить о стиле (слов: {s.words}, нужно "
                                          f"не меньше {settings.min_words})"], [], x, rated=False)
    press = score >= settings.threshold
    reasons = _reasons(s, x, contributions, press, settings) if with_reasons else ["—"]
    if not reasons:
        reasons = ["стиль смешанный: явных признаков пресс-релиза нет" if not press
                   else "совокупность признаков пресс-релиза"]
    phrases = list(dict.fromkeys(s.reporting + s.cliches + s.passive + s.nominalisations))
    return StyleResult(press, score, reasons, phrases, x)


def assess_many(texts: list[str], settings: StyleSettings) -> list[StyleResult]:
    lex = lexicon()
    return [assess(t or "", settings, lex) for t in texts]


_DECISIONS: dict[tuple[str, str], tuple[bool, bool, float, list[str]]] = {}
MEMO_LIMIT = 500_000  # texts remembered per process (a Tomsk quarter is ~60,000; a new upload adds few new ones)


def decisions(texts: list[str], settings: StyleSettings) -> list[tuple[bool, bool, float, list[str]]]:
    """(press_release, rated, score, phrases) of each text; a text already judged under the same methodology is
    not analysed again (the next data version of a quarter repeats almost all its texts)."""
    lex = lexicon()
    out = []
    for text in texts:
        key = (settings.fingerprint, text)
        found = _DECISIONS.get(key)
        if found is None:
            r = assess(text, settings, lex, with_reasons=False)
            found = (r.press_release, r.rated, r.score, r.phrases[:6])
            if len(_DECISIONS) >= MEMO_LIMIT:
                _DECISIONS.clear()
            _DECISIONS[key] = found
        out.append(found)
    return out


# --- per page and quarter (reported as information: Порядок §2 п.8) ---

PAGE_STYLE_SCHEMA = {"page_id": pl.Int64, "posts_rated": pl.Int64, "press_releases": pl.Int64, "share": pl.Float64,
                     "examples": pl.List(pl.Struct({"published_at": pl.Datetime("us", "UTC"), "score": pl.Float64,
                                                    "text": pl.String, "phrases": pl.List(pl.String)}))}
EXCERPT = 400  # characters of an example's text shown


def highlighted(text: str, phrases: list[str], limit: int = EXCERPT) -> str:
    """The text with the phrases that made it a press release in [square brackets] — plain text, never HTML."""
    out = text
    for phrase in sorted(set(phrases), key=len, reverse=True):
        if " … " in phrase:
            continue
        out = re.sub(rf"(?<![\[\w]){re.escape(phrase)}(?![\]\w])", lambda m: f"[{m.group(0)}]", out, count=1)
    return out if len(out) <= limit else out[:limit].rstrip() + "…"


def post_styles(posts: pl.DataFrame, settings: StyleSettings) -> pl.DataFrame:
    """Each post (page_id, post_id, published_at, text) with its decision, likelihood and phrases; a text seen
    several times (reposts, cross-posting to three platforms) is analysed once."""
    texts = posts.select(pl.col("text").fill_null("")).unique()["text"].to_list()
    results = decisions(texts, settings)
    verdicts = pl.DataFrame({"text": texts, "press_release": [r[0] for r in results],
                             "rated": [r[1] for r in results], "score": [r[2] for r in results],
                             "phrases": [r[3] for r in results]},
                            schema={"text": pl.String, "press_release": pl.Boolean, "rated": pl.Boolean,
                                    "score": pl.Float64, "phrases": pl.List(pl.String)})
    return posts.with_columns(pl.col("text").fill_null("")).join(verdicts, on="text", how="left")


def page_styles(posts: pl.DataFrame, settings: StyleSettings) -> pl.DataFrame:
    """Per page: posts with enough text to judge, those written as press releases, their share, and the most
    typical examples (highest likelihood first) with the phrases that made them so."""
    if posts.is_empty():
        return pl.DataFrame(schema=PAGE_STYLE_SCHEMA)
    styled = post_styles(posts, settings).filter(pl.col("rated"))
    # ties in likelihood broken by the newest post, then the text: the same data always shows the same examples
    examples = (styled.filter(pl.col("press_release"))
                .sort(["score", "published_at", "text"], descending=[True, True, False], nulls_last=True)
                .unique(["page_id", "text"], keep="first", maintain_order=True)  # the same text posted again
                .group_by("page_id", maintain_order=True).head(settings.examples)
                .with_columns(pl.struct("text", "phrases").map_elements(
                    lambda r: highlighted(r["text"], r["phrases"] or []), return_dtype=pl.String).alias("text"))
                .group_by("page_id").agg(pl.struct("published_at", "score", "text", "phrases").alias("examples")))
    return (styled.group_by("page_id").agg(pl.len().cast(pl.Int64).alias("posts_rated"),
                                            pl.col("press_release").sum().cast(pl.Int64).alias("press_releases"))
            .with_columns((pl.col("press_releases") / pl.col("posts_rated")).alias("share"))
            .join(examples, on="page_id", how="left").sort("page_id")
            .select(list(PAGE_STYLE_SCHEMA)).cast(PAGE_STYLE_SCHEMA))

"""The versioned methodology file (TOML): loading, validation with Russian messages, the version in force."""
from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from core.config import METHODOLOGY_DIR
from core.domain import KIND_GENITIVE_LABELS, OWNER_KINDS, PLATFORMS

KNOWN_INDICATORS = ("A1", "A2", "A3", "A4", "A5", "B1", "B2", "B3", "C1", "C2", "D1", "D2", "E1", "E2")
QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")
# parameters an indicator needs from the file (nothing of the methodology has a default in Python)
INDICATOR_PARAMETERS = {"A3": ("items",), "A5": ("values",), "E1": ("full_at",), "E2": ("steps", "otherwise")}
INDICATOR_KEYS = ("block", "weight", "title", "order", "percentile")
SECTION_KEYS = {"percentiles": ("peer_group", "winsorize", "advice_below"), "ties": ("order",),
                "early_warning": ("share_of_weeks",), "gates": ("min_counted_weeks", "min_posts_for_reach",
                                                                "min_user_comments"),
                "deadlines": ("rating_due_day", "results_within_days", "announce_days_before"),
                "composite": ("body", "head", "institutions"), "norms": ("posts_per_week",),
                "sensitivity": ("step", "grid_points", "unstable_places"),
                "press_release": ("scored", "threshold", "long_sentence_words", "min_words", "page_share", "examples",
                                  "readability", "weights", "centres")}
OPTIONAL_KEYS = {"norms": ("live_streams_per_quarter",)}
TOP_KEYS = ("id", "title", "approved_on", "effective_from", "required_platforms", "indicators", "zones", "blocks",
            *SECTION_KEYS)
PEER_GROUP_LABELS = {"kind": "тип владельца", "platform": "платформа"}


class MethodologyError(ValueError):
    """The file cannot be used; the message names the file and the problem in Russian."""


# The methodology as typed values, built and validated once from the TOML by parse_methodology; nothing outside
# this module reads the file by string keys. Numbers keep the type the file gives them (a weight 6 stays 6), so
# the payload's `methodology_info` (what approvals store) is the same as when it was copied from the file.
@dataclass(frozen=True)
class Norms:
    posts_per_week: dict[str, int]  # owner kind → posts a week at least (Порядок §2 п.9)
    live_streams_per_quarter: dict[str, int]  # owner kind → live streams a quarter (§2 п.7); other kinds need none

    def posts_text(self) -> str:
        """«10 для Губернатора и Администрации, 3 для остальных»: the most common norm is «для остальных»."""
        by_norm: dict[int, list[str]] = {}
        for kind in OWNER_KINDS:
            if kind in self.posts_per_week:
                by_norm.setdefault(self.posts_per_week[kind], []).append(kind)
        if len(by_norm) == 1:
            return f"{next(iter(by_norm))} для всех"
        common = max(by_norm, key=lambda norm: len(by_norm[norm]))
        parts = [f"{norm} для " + _joined([KIND_GENITIVE_LABELS[k] for k in kinds])
                 for norm, kinds in by_norm.items() if norm != common]
        return ", ".join([*parts, f"{common} для остальных"])


def _joined(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " и " + words[-1]


@dataclass(frozen=True)
class Deadlines:  # Порядок §4 п.14–16
    rating_due_day: int  # the rating by this day of the month after the quarter
    results_within_days: int  # results within this many days after the quarter
    announce_days_before: int  # the methodology at least this many days before the period


@dataclass(frozen=True)
class Gates:  # methodology.md §3
    min_counted_weeks: int  # fewer: the page is «не оценивается» (blocks B–E)
    min_posts_for_reach: int  # fewer: blocks C and D do not apply
    min_user_comments: int  # fewer: block E does not apply

    def as_dict(self) -> dict:
        return {"min_counted_weeks": self.min_counted_weeks, "min_posts_for_reach": self.min_posts_for_reach,
                "min_user_comments": self.min_user_comments}


@dataclass(frozen=True)
class Percentiles:
    peer_group: tuple[str, ...]  # columns of the peer group: kind, platform
    winsorize: tuple[float, float]  # the quantiles the raw rates are clipped at within the group
    advice_below: float  # a percentile under this: «ниже, чем у большинства страниц группы» (recommendations)

    @property
    def group_text(self) -> str:
        """«тип владельца × платформа»."""
        return " × ".join(PEER_GROUP_LABELS[g] for g in self.peer_group)


@dataclass(frozen=True)
class ReplyStep:  # E2: a median reply within `hours` scores `value`
    hours: float
    value: float


@dataclass(frozen=True)
class Indicator:
    code: str
    block: str
    weight: float
    title: str
    order: str = ""  # the item of the order (распоряжение), e.g. «§2 п.9»; empty when the file names none
    percentile: bool = False  # relative: scored as a percentile within the peer group
    items: tuple[str, ...] = ()  # A3: the checklist items of the page's design
    values: dict[int, float] = field(default_factory=dict)  # A5: number of ПОС widgets → value
    full_at: float | None = None  # E1: the share of answered comments that scores 1
    steps: tuple[ReplyStep, ...] = ()  # E2: reply-time steps
    otherwise: float | None = None  # E2: the value beyond the slowest step


@dataclass(frozen=True)
class Composite:  # the body composite (methodology.md §4)
    body: float
    head: float
    institutions: float

    def as_dict(self) -> dict:
        return {"body": self.body, "head": self.head, "institutions": self.institutions}


@dataclass(frozen=True)
class Zone:
    name: str
    min: float  # scores from this value (inclusive)
    color: str

    def as_dict(self) -> dict:
        return {"name": self.name, "min": self.min, "color": self.color}


@dataclass(frozen=True)
class Readability:  # Flesch reading ease, Oborneva's coefficients: base − sentence × words/sentence − syllables × …
    base: float
    sentence: float
    syllables: float


@dataclass(frozen=True)
class PressRelease:  # [press_release]: the style detector (scoring/style.py), reported as information
    scored: bool
    threshold: float
    long_sentence_words: int
    min_words: int
    page_share: float
    examples: int
    readability: Readability
    bias: float
    weights: dict[str, float]  # feature → weight of the logistic model (scoring.style.FEATURES)
    centres: dict[str, float]  # feature → its neutral value


@dataclass(frozen=True)
class Sensitivity:  # [sensitivity]: how far the block weights move for the place ranges of «Рейтинг»
    step: float
    grid_points: int
    unstable_places: int


@dataclass(frozen=True)
class Methodology:
    id: str
    title: str
    approved_on: date
    effective_from: str
    required_platforms: tuple[str, ...]
    norms: Norms
    deadlines: Deadlines
    gates: Gates
    percentiles: Percentiles
    blocks: dict[str, str]  # block code → title, in the file's order
    indicators: dict[str, Indicator]  # in the file's order
    composite: Composite
    zones: tuple[Zone, ...]  # in the file's order
    ties: tuple[str, ...]  # tie order after the score: an indicator, a block or «name»
    early_warning_share: float  # [early_warning] share_of_weeks
    press_release: PressRelease
    sensitivity: Sensitivity
    source: str  # the TOML text, stored with approvals
    filename: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.source.encode()).hexdigest()

    def weight(self, code: str) -> float:
        return float(self.indicators[code].weight)

    def posts_norm(self, kind: str) -> int:
        return int(self.norms.posts_per_week[kind])

    def zone(self, score: float) -> Zone:
        for zone in sorted(self.zones, key=lambda z: -z.min):
            if score >= zone.min:
                return zone
        return self.zones[-1]


def quarter_start(code: str) -> date:
    m = QUARTER_RE.match(code)
    if not m:
        raise MethodologyError(f"неверное обозначение квартала «{code}», ожидается, например, 2026Q1")
    return date(int(m.group(1)), 3 * int(m.group(2)) - 2, 1)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Reader:
    """Typed reads of the parsed TOML with a Russian message naming the section and the key."""

    def __init__(self, filename: str):
        self.filename = filename

    def bad(self, message: str) -> MethodologyError:
        return MethodologyError(f"методика «{self.filename}»: {message}")

    def table(self, value, where: str) -> dict:
        if not isinstance(value, dict):
            raise self.bad(f"«{where}» должен быть разделом (таблицей) TOML")
        return value

    def known(self, section: dict, where: str, keys) -> None:
        unknown = [k for k in section if k not in keys]
        if unknown:
            raise self.bad(f"в разделе «{where}» неизвестный параметр {', '.join(unknown)}; допустимы "
                           f"{', '.join(keys)}")

    def whole(self, section: dict, key: str, where: str, low: int = 0, high: int | None = None) -> int:
        value = section[key]
        if not _whole(value) or value < low or (high is not None and value > high):
            span = f"от {low} до {high}" if high is not None else f"не меньше {low}"
            raise self.bad(f"в разделе «{where}» {key} должен быть целым числом {span}")
        return value

    def share(self, section: dict, key: str, where: str) -> float:
        value = section[key]
        if not _number(value) or not 0 <= value <= 1:
            raise self.bad(f"в разделе «{where}» {key} должен быть долей от 0 до 1")
        return value

    def number(self, section: dict, key: str, where: str) -> float:
        if not _number(section[key]):
            raise self.bad(f"в разделе «{where}» {key} должен быть числом")
        return section[key]

    def text(self, section: dict, key: str, where: str) -> str:
        if not isinstance(section[key], str) or not section[key].strip():
            raise self.bad(f"в разделе «{where}» {key} должен быть непустой строкой")
        return section[key]


def parse_methodology(text: str, filename: str) -> Methodology:
    read = _Reader(filename)
    bad = read.bad
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise bad(f"файл не разобран как TOML ({exc})") from None
    for key in TOP_KEYS:
        if key not in raw:
            raise bad(f"нет обязательного раздела «{key}»")
    unknown_sections = [k for k in raw if k not in TOP_KEYS]
    if unknown_sections:
        raise bad(f"неизвестный раздел «{', '.join(unknown_sections)}»")
    for key in ("id", "title"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise bad(f"{key} должен быть непустой строкой")
    if not isinstance(raw["approved_on"], date) or isinstance(raw["approved_on"], datetime):
        raise bad("approved_on должно быть датой (ГГГГ-ММ-ДД)")
    try:
        quarter_start(str(raw["effective_from"]))
    except MethodologyError as exc:
        raise bad(str(exc)) from None
    platforms = raw["required_platforms"]
    if not isinstance(platforms, list) or not platforms or not all(isinstance(p, str) for p in platforms):
        raise bad("required_platforms должен быть непустым списком платформ, например [\"vk\", \"ok\", \"telegram\"]")
    unknown_platforms = [p for p in platforms if p not in PLATFORMS + ("max",)]
    if unknown_platforms:
        raise bad(f"неизвестная платформа: {', '.join(unknown_platforms)}")
    repeated = sorted({p for p in platforms if platforms.count(p) > 1})
    if repeated:
        raise bad(f"в required_platforms платформа указана дважды: {', '.join(repeated)}")
    blocks = read.table(raw["blocks"], "blocks")
    if not blocks or not all(isinstance(t, str) and t.strip() for t in blocks.values()):
        raise bad("в разделе «blocks» каждый блок должен иметь название (строку)")
    specs = read.table(raw["indicators"], "indicators")
    unknown = [code for code in specs if code not in KNOWN_INDICATORS]
    if unknown:
        raise bad(f"неизвестный показатель: {', '.join(unknown)}; допустимы {', '.join(KNOWN_INDICATORS)}")
    indicators = {code: _indicator(read, code, read.table(spec, f"indicators.{code}"), blocks)
                  for code, spec in specs.items()}
    sections = {}
    for section, keys in SECTION_KEYS.items():
        values = sections[section] = read.table(raw[section], section)
        missing = [key for key in keys if key not in values]
        if missing:
            raise bad(f"в разделе «{section}» нет параметра {', '.join(missing)}")
        if section != "press_release":
            read.known(values, section, (*keys, *OPTIONAL_KEYS.get(section, ())))
    total = sum(i.weight for i in indicators.values())
    if abs(total - 100) > 1e-9:
        raise bad(f"сумма весов показателей равна {total:g}, а должна быть 100")
    norms = _norms(read, sections["norms"])
    composite = Composite(*(read.share(sections["composite"], k, "composite") for k in SECTION_KEYS["composite"]))
    if abs(composite.body + composite.head + composite.institutions - 1) > 1e-9:
        raise bad("доли сводного рейтинга (body, head, institutions) должны в сумме давать 1")
    zones = _zones(read, raw["zones"])
    deadlines = Deadlines(read.whole(sections["deadlines"], "rating_due_day", "deadlines", 1, 28),
                          *(read.whole(sections["deadlines"], k, "deadlines")
                            for k in ("results_within_days", "announce_days_before")))
    gates = Gates(*(read.whole(sections["gates"], k, "gates") for k in SECTION_KEYS["gates"]))
    ties = sections["ties"]["order"]
    allowed = ("name", *indicators, *blocks)
    if not isinstance(ties, list) or not all(isinstance(t, str) for t in ties) or any(t not in allowed for t in ties):
        raise bad(f"в разделе «ties» order должен быть списком из показателей, блоков и «name»; допустимы "
                  f"{', '.join(allowed)}")
    return Methodology(
        id=raw["id"], title=raw["title"], approved_on=raw["approved_on"], effective_from=str(raw["effective_from"]),
        required_platforms=tuple(platforms), norms=norms, deadlines=deadlines, gates=gates,
        percentiles=_percentiles(read, sections["percentiles"]), blocks=dict(blocks), indicators=indicators,
        composite=composite, zones=zones, ties=tuple(ties),
        early_warning_share=read.share(sections["early_warning"], "share_of_weeks", "early_warning"),
        press_release=_press_release(read, sections["press_release"]),
        sensitivity=_sensitivity(read, sections["sensitivity"]), source=text, filename=filename)


def _indicator(read: _Reader, code: str, spec: dict, blocks: dict) -> Indicator:
    bad, where = read.bad, f"indicators.{code}"
    if spec.get("block") not in blocks:
        raise bad(f"показатель {code}: неизвестный блок «{spec.get('block')}»")
    if not _number(spec.get("weight")) or spec["weight"] < 0:
        raise bad(f"показатель {code}: вес должен быть неотрицательным числом")
    parameters = INDICATOR_PARAMETERS.get(code, ())
    missing = [key for key in parameters if key not in spec]
    if missing:
        raise bad(f"показатель {code}: нет параметра {', '.join(missing)}")
    if "title" not in spec:
        raise bad(f"показатель {code}: нет параметра title")
    read.known(spec, where, (*INDICATOR_KEYS, *parameters))
    title = read.text(spec, "title", where)
    order = read.text(spec, "order", where) if "order" in spec else ""
    if not isinstance(spec.get("percentile", False), bool):
        raise bad(f"в разделе «{where}» percentile должен быть true или false")
    extra: dict = {}
    if code == "A3":
        from scoring.indicators import CHECKLIST
        items = spec["items"]
        if not isinstance(items, list) or not items or any(i not in CHECKLIST for i in items):
            raise bad(f"в разделе «{where}» items должен быть списком элементов оформления из: "
                      f"{', '.join(CHECKLIST)}")
        extra["items"] = tuple(items)
    if code == "A5":
        values = read.table(spec["values"], f"{where}.values")
        if not values or any(not k.isdigit() or not _number(v) or not 0 <= v <= 1 for k, v in values.items()):
            raise bad(f"в разделе «{where}» values должен сопоставлять числу виджетов («0», «1», «2») долю от 0 до 1")
        extra["values"] = {int(k): v for k, v in values.items()}
    if code == "E1":
        extra["full_at"] = read.share(spec, "full_at", where)
        if extra["full_at"] <= 0:
            raise bad(f"в разделе «{where}» full_at должен быть долей больше 0")
    if code == "E2":
        steps = spec["steps"]
        if (not isinstance(steps, list) or not steps
                or any(not isinstance(s, dict) or set(s) != {"hours", "value"} or not _number(s["hours"])
                       or s["hours"] < 0 or not _number(s["value"]) or not 0 <= s["value"] <= 1 for s in steps)):
            raise bad(f"в разделе «{where}» steps должен быть списком {{ hours = часы, value = доля от 0 до 1 }}")
        extra["steps"] = tuple(ReplyStep(s["hours"], s["value"]) for s in steps)
        extra["otherwise"] = read.share(spec, "otherwise", where)
    return Indicator(code, spec["block"], spec["weight"], title, order, spec.get("percentile", False), **extra)


def _norms(read: _Reader, section: dict) -> Norms:
    tables = {}
    for key in ("posts_per_week", *OPTIONAL_KEYS["norms"]):
        where = f"norms.{key}"
        table = tables[key] = read.table(section.get(key, {}), where)
        unknown = [k for k in table if k not in OWNER_KINDS]
        if unknown:
            raise read.bad(f"в разделе «{where}» неизвестный тип владельца: {', '.join(unknown)}; допустимы "
                           f"{', '.join(OWNER_KINDS)}")
        for kind in table:
            read.whole(table, kind, where)
    missing_kinds = [k for k in OWNER_KINDS if k not in tables["posts_per_week"]]
    if missing_kinds:
        raise read.bad(f"нет нормы публикаций в неделю для: {', '.join(missing_kinds)}")
    return Norms(dict(tables["posts_per_week"]), dict(tables["live_streams_per_quarter"]))


def _zones(read: _Reader, zones) -> tuple[Zone, ...]:
    if not isinstance(zones, list) or not zones or not all(isinstance(z, dict) for z in zones):
        raise read.bad("zones должен быть списком зон [[zones]] с name, min и color")
    out = []
    for n, zone in enumerate(zones, start=1):
        where = f"zones № {n}"
        missing = [k for k in ("name", "min", "color") if k not in zone]
        if missing:
            raise read.bad(f"в разделе «{where}» нет параметра {', '.join(missing)}")
        read.known(zone, where, ("name", "min", "color"))
        if not _number(zone["min"]) or not 0 <= zone["min"] <= 100:
            raise read.bad(f"в разделе «{where}» min должен быть числом баллов от 0 до 100")
        out.append(Zone(read.text(zone, "name", where), zone["min"], read.text(zone, "color", where)))
    if min(z.min for z in out) != 0:
        raise read.bad("зоны должны покрывать шкалу от 0 до 100 (у нижней зоны min = 0)")
    if len({z.name for z in out}) != len(out):
        raise read.bad("у зон должны быть разные названия (name)")
    return tuple(out)


def _percentiles(read: _Reader, section: dict) -> Percentiles:
    group, bounds = section["peer_group"], section["winsorize"]
    if not isinstance(group, list) or not group or any(g not in PEER_GROUP_LABELS for g in group):
        raise read.bad(f"в разделе «percentiles» peer_group должен быть списком из: {', '.join(PEER_GROUP_LABELS)}")
    if (not isinstance(bounds, list) or len(bounds) != 2 or not all(_number(b) for b in bounds)
            or not 0 <= bounds[0] < bounds[1] <= 1):
        raise read.bad("в разделе «percentiles» winsorize должен быть парой долей [нижняя, верхняя], 0 ≤ нижняя < "
                       "верхняя ≤ 1")
    return Percentiles(tuple(group), (bounds[0], bounds[1]), read.share(section, "advice_below", "percentiles"))


def _sensitivity(read: _Reader, section: dict) -> Sensitivity:
    """[sensitivity]: how far the block weights move for the place ranges of «Рейтинг»."""
    bad = read.bad
    step, points, wide = section["step"], section["grid_points"], section["unstable_places"]
    if not _number(step) or not 0 <= step < 100:
        raise bad("в разделе «sensitivity» step должен быть числом баллов от 0 до 100")
    if not _whole(points) or points < 1 or points % 2 == 0 or points > 7:
        raise bad("в разделе «sensitivity» grid_points должен быть нечётным целым от 1 до 7")
    if not _whole(wide) or wide < 1:
        raise bad("в разделе «sensitivity» unstable_places должен быть целым числом не меньше 1")
    return Sensitivity(step, points, wide)


def _press_release(read: _Reader, section: dict) -> PressRelease:
    """[press_release]: the style detector's thresholds and weights (scoring/style.py), reported as information."""
    from scoring.style import FEATURES
    bad = read.bad
    read.known(section, "press_release", SECTION_KEYS["press_release"])
    if not isinstance(section["scored"], bool):
        raise bad("в разделе «press_release» scored должно быть true или false")
    if section["scored"]:
        # Порядок §2 п.8 is reported, not scored, by default; scoring it needs an indicator and new weights of
        # the whole methodology, which this version of the product does not define
        raise bad("в разделе «press_release» scored = true не поддерживается: стиль публикаций показывается "
                  "справочно, для его оценки нужен отдельный показатель с весом в разделе indicators")
    if not _number(section["threshold"]) or not 0 < section["threshold"] < 1:
        raise bad("в разделе «press_release» threshold должен быть числом больше 0 и меньше 1")
    if not _number(section["page_share"]) or not 0 <= section["page_share"] <= 1:
        raise bad("в разделе «press_release» page_share должен быть долей от 0 до 1")
    for key, low in (("long_sentence_words", 1), ("min_words", 0), ("examples", 1)):
        if not _whole(section[key]) or section[key] < low:
            raise bad(f"в разделе «press_release» {key} должен быть целым числом не меньше {low}")
    readability = section["readability"]
    coefficients = ("base", "sentence", "syllables")
    if (not isinstance(readability, dict) or any(not _number(readability.get(k)) for k in coefficients)
            or set(readability) != set(coefficients)):
        raise bad("в разделе «press_release» readability должен задавать числа base, sentence и syllables")
    tables = {}
    for table, extra in (("weights", ("bias",)), ("centres", ())):
        values = tables[table] = section[table]
        if not isinstance(values, dict):
            raise bad(f"«press_release.{table}» должен быть разделом (таблицей) TOML")
        missing = [k for k in (*extra, *FEATURES) if not _number(values.get(k))]
        unknown = [k for k in values if k not in (*extra, *FEATURES)]
        if missing:
            raise bad(f"в разделе «press_release.{table}» нет числа для: {', '.join(missing)}")
        if unknown:
            raise bad(f"в разделе «press_release.{table}» неизвестный признак: {', '.join(unknown)}; допустимы "
                      f"{', '.join(FEATURES)}")
    return PressRelease(section["scored"], section["threshold"], section["long_sentence_words"], section["min_words"],
                        section["page_share"], section["examples"],
                        Readability(*(readability[k] for k in coefficients)), tables["weights"]["bias"],
                        {k: tables["weights"][k] for k in FEATURES}, {k: tables["centres"][k] for k in FEATURES})


def load_methodologies(directory: Path = METHODOLOGY_DIR) -> list[Methodology]:
    versions = [parse_methodology(path.read_text(encoding="utf-8"), path.name)
                for path in sorted(directory.glob("*.toml"))]
    ids = [m.id for m in versions]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise MethodologyError(f"несколько файлов методики с одинаковым id: {', '.join(sorted(duplicates))}")
    return sorted(versions, key=lambda m: (quarter_start(m.effective_from), m.approved_on))


def methodology_for(quarter: str, versions: list[Methodology] | None = None) -> Methodology:
    """The version in force: the latest whose effective_from is not after the quarter (methodology.md §6)."""
    versions = versions if versions is not None else load_methodologies()
    start = quarter_start(quarter)
    eligible = [m for m in versions if quarter_start(m.effective_from) <= start]
    if not eligible:
        raise MethodologyError(f"нет методики, действующей в квартале {quarter}")
    return eligible[-1]


def announced_late(methodology: Methodology, quarter: str) -> bool:
    """Порядок §4 п.15: the methodology is announced at least N days before the period starts."""
    min_days = methodology.deadlines.announce_days_before
    return (quarter_start(quarter) - methodology.approved_on).days < min_days


def quarter_deadlines(methodology: Methodology, quarter_first_day: date, quarter_last_day: date) -> dict[str, date]:
    """Порядок §4 п.14–16: rating by the Nth of the next month, results within N days, methodology N days before."""
    from datetime import timedelta
    deadlines = methodology.deadlines
    after = quarter_last_day + timedelta(days=1)
    return {"rating_due": after.replace(day=deadlines.rating_due_day),
            "results_due": quarter_last_day + timedelta(days=deadlines.results_within_days),
            "methodology_due": quarter_first_day - timedelta(days=deadlines.announce_days_before)}

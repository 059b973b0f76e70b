"""The versioned methodology file (TOML): loading, validation with Russian messages, the version in force."""
from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from core.config import METHODOLOGY_DIR
from core.domain import OWNER_KINDS, PLATFORMS

KNOWN_INDICATORS = ("A1", "A2", "A3", "A4", "A5", "B1", "B2", "B3", "C1", "C2", "D1", "D2", "E1", "E2")
QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")
# parameters an indicator needs from the file (nothing of the methodology has a default in Python)
INDICATOR_PARAMETERS = {"A3": ("items",), "A5": ("values",), "E1": ("full_at",), "E2": ("steps", "otherwise")}
SECTION_KEYS = {"percentiles": ("peer_group", "winsorize"), "ties": ("order",), "early_warning": ("share_of_weeks",),
                "sensitivity": ("step", "grid_points", "unstable_places"),
                "press_release": ("scored", "threshold", "long_sentence_words", "min_words", "page_share", "examples",
                                  "readability", "weights", "centres")}


class MethodologyError(ValueError):
    """The file cannot be used; the message names the file and the problem in Russian."""


@dataclass(frozen=True)
class Methodology:
    id: str
    title: str
    approved_on: date
    effective_from: str
    required_platforms: tuple[str, ...]
    raw: dict
    source: str  # the TOML text, stored with approvals
    filename: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.source.encode()).hexdigest()

    @property
    def indicators(self) -> dict[str, dict]:
        return self.raw["indicators"]

    def weight(self, code: str) -> float:
        return float(self.indicators[code]["weight"])

    def posts_norm(self, kind: str) -> int:
        return int(self.raw["norms"]["posts_per_week"][kind])

    def zone(self, score: float) -> dict:
        for zone in sorted(self.raw["zones"], key=lambda z: -z["min"]):
            if score >= zone["min"]:
                return zone
        return self.raw["zones"][-1]


def quarter_start(code: str) -> date:
    m = QUARTER_RE.match(code)
    if not m:
        raise MethodologyError(f"неверное обозначение квартала «{code}», ожидается, например, 2026Q1")
    return date(int(m.group(1)), 3 * int(m.group(2)) - 2, 1)


def parse_methodology(text: str, filename: str) -> Methodology:
    def bad(message: str) -> MethodologyError:
        return MethodologyError(f"методика «{filename}»: {message}")

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise bad(f"файл не разобран как TOML ({exc})") from None
    for key in ("id", "title", "approved_on", "effective_from", "required_platforms", "norms", "indicators",
                "zones", "composite", "blocks", "gates", "deadlines", *SECTION_KEYS):
        if key not in raw:
            raise bad(f"нет обязательного раздела «{key}»")
    if not isinstance(raw["approved_on"], date):
        raise bad("approved_on должно быть датой (ГГГГ-ММ-ДД)")
    try:
        quarter_start(str(raw["effective_from"]))
    except MethodologyError as exc:
        raise bad(str(exc)) from None
    unknown_platforms = [p for p in raw["required_platforms"] if p not in PLATFORMS + ("max",)]
    if unknown_platforms:
        raise bad(f"неизвестная платформа: {', '.join(unknown_platforms)}")
    unknown = [code for code in raw["indicators"] if code not in KNOWN_INDICATORS]
    if unknown:
        raise bad(f"неизвестный показатель: {', '.join(unknown)}; допустимы {', '.join(KNOWN_INDICATORS)}")
    for code, spec in raw["indicators"].items():
        if spec.get("block") not in raw["blocks"]:
            raise bad(f"показатель {code}: неизвестный блок «{spec.get('block')}»")
        if not isinstance(spec.get("weight"), (int, float)) or spec["weight"] < 0:
            raise bad(f"показатель {code}: вес должен быть неотрицательным числом")
        missing = [key for key in INDICATOR_PARAMETERS.get(code, ()) if key not in spec]
        if missing:
            raise bad(f"показатель {code}: нет параметра {', '.join(missing)}")
    for section, keys in SECTION_KEYS.items():
        missing = [key for key in keys if key not in raw[section]]
        if missing:
            raise bad(f"в разделе «{section}» нет параметра {', '.join(missing)}")
    total = sum(spec["weight"] for spec in raw["indicators"].values())
    if abs(total - 100) > 1e-9:
        raise bad(f"сумма весов показателей равна {total:g}, а должна быть 100")
    missing_kinds = [k for k in OWNER_KINDS if k not in raw["norms"].get("posts_per_week", {})]
    if missing_kinds:
        raise bad(f"нет нормы публикаций в неделю для: {', '.join(missing_kinds)}")
    composite = raw["composite"]
    if abs(sum(composite.get(k, 0) for k in ("body", "head", "institutions")) - 1) > 1e-9:
        raise bad("доли сводного рейтинга (body, head, institutions) должны в сумме давать 1")
    if not raw["zones"] or min(z["min"] for z in raw["zones"]) != 0:
        raise bad("зоны должны покрывать шкалу от 0 до 100 (у нижней зоны min = 0)")
    _check_sensitivity(raw["sensitivity"], bad)
    _check_press_release(raw["press_release"], bad)
    return Methodology(str(raw["id"]), str(raw["title"]), raw["approved_on"], str(raw["effective_from"]),
                       tuple(raw["required_platforms"]), raw, text, filename)


def _check_sensitivity(section: dict, bad) -> None:
    """[sensitivity]: how far the block weights move for the place ranges of «Рейтинг»."""
    step, points, wide = section["step"], section["grid_points"], section["unstable_places"]
    if not isinstance(step, (int, float)) or isinstance(step, bool) or not 0 <= step < 100:
        raise bad("в разделе «sensitivity» step должен быть числом баллов от 0 до 100")
    if not isinstance(points, int) or isinstance(points, bool) or points < 1 or points % 2 == 0 or points > 7:
        raise bad("в разделе «sensitivity» grid_points должен быть нечётным целым от 1 до 7")
    if not isinstance(wide, int) or isinstance(wide, bool) or wide < 1:
        raise bad("в разделе «sensitivity» unstable_places должен быть целым числом не меньше 1")


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_press_release(section: dict, bad) -> None:
    """[press_release]: the style detector's thresholds and weights (scoring/style.py), reported as information."""
    from scoring.style import FEATURES
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
        if not isinstance(section[key], int) or isinstance(section[key], bool) or section[key] < low:
            raise bad(f"в разделе «press_release» {key} должен быть целым числом не меньше {low}")
    readability = section["readability"]
    if not isinstance(readability, dict) or any(not _number(readability.get(k)) for k in ("base", "sentence",
                                                                                          "syllables")):
        raise bad("в разделе «press_release» readability должен задавать числа base, sentence и syllables")
    for table, extra in (("weights", ("bias",)), ("centres", ())):
        values = section[table]
        missing = [k for k in (*extra, *FEATURES) if not _number(values.get(k))]
        unknown = [k for k in values if k not in (*extra, *FEATURES)]
        if missing:
            raise bad(f"в разделе «press_release.{table}» нет числа для: {', '.join(missing)}")
        if unknown:
            raise bad(f"в разделе «press_release.{table}» неизвестный признак: {', '.join(unknown)}; допустимы "
                      f"{', '.join(FEATURES)}")


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
    min_days = int(methodology.raw["deadlines"]["announce_days_before"])
    return (quarter_start(quarter) - methodology.approved_on).days < min_days


def quarter_deadlines(methodology: Methodology, quarter_first_day: date, quarter_last_day: date) -> dict[str, date]:
    """Порядок §4 п.14–16: rating by the Nth of the next month, results within N days, methodology N days before."""
    from datetime import timedelta
    deadlines = methodology.raw["deadlines"]
    after = quarter_last_day + timedelta(days=1)
    return {"rating_due": after.replace(day=int(deadlines["rating_due_day"])),
            "results_due": quarter_last_day + timedelta(days=int(deadlines["results_within_days"])),
            "methodology_due": quarter_first_day - timedelta(days=int(deadlines["announce_days_before"]))}

"""The README and the «Методика» screen keep up with the code (issue 22): every setting the code reads
(GOSPABLIKI_* environment variables), every subcommand and option of cli.py and every indicator of the methodology
files is documented; a new one without its line in the README fails here."""
import argparse
import re
from pathlib import Path

import pytest

import cli
from scoring.methodology import load_methodologies

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
CODE = ("app_pages", "benchmark", "core", "demo", "loaders", "reports", "scoring", "services", "storage")
SETTING = re.compile(r"GOSPABLIKI_[A-Z0-9_]*")


def _section(title: str) -> str:
    """The README's text under the heading `title`, up to the next heading of the same or a higher level."""
    match = re.search(rf"^(#+) {re.escape(title)}\n", README, re.M)
    assert match, f"в README нет раздела «{title}»"
    level = len(match.group(1))
    end = re.search(rf"^#{{1,{level}}} ", README[match.end():], re.M)
    return README[match.end(): match.end() + end.start() if end else len(README)]


def _code_files() -> list[Path]:
    files = [ROOT / "app.py", ROOT / "cli.py", ROOT / "Makefile", ROOT / "tests" / "conftest.py"]
    return files + sorted(p for package in CODE for p in (ROOT / package).rglob("*.py"))


def settings_in_code() -> dict[str, str]:
    """Each GOSPABLIKI_* name in the code, with a file that reads it; a name ending in «_» is a prefix the code
    completes (f"GOSPABLIKI_SMTP_{name}")."""
    found: dict[str, str] = {}
    for path in _code_files():
        for name in SETTING.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, str(path.relative_to(ROOT)))
    return found


def settings_in_readme() -> set[str]:
    """Every GOSPABLIKI_* name of the README; «`GOSPABLIKI_SMTP_HOST`, `_PORT`» names GOSPABLIKI_SMTP_PORT too."""
    names: set[str] = set()
    for line in README.splitlines():
        full = [n.rstrip("_") for n in SETTING.findall(line)]
        names.update(full)
        if full:
            stem = full[0].rsplit("_", 1)[0]
            names.update(stem + short for short in re.findall(r"`(_[A-Z0-9_]+)`", line))
    return names


def test_every_setting_the_code_reads_is_in_the_readme():
    in_code = settings_in_code()
    documented = settings_in_readme()
    assert {"GOSPABLIKI_DATABASE_URL", "GOSPABLIKI_TZ", "GOSPABLIKI_SMTP_"} <= set(in_code)  # the scan finds them
    missing = {name: where for name, where in in_code.items()
               if not (any(d.startswith(name) for d in documented) if name.endswith("_") else name in documented)}
    assert missing == {}, f"не описаны в README: {missing}"


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def commands_in_readme() -> set[str]:
    """The subcommands the «Командная строка» block shows: `python cli.py NAME …` and `… | NAME …` on its lines."""
    names = set()
    for line in _section("Командная строка").splitlines():
        command = line.split("#", 1)[0]
        if command.startswith("python cli.py "):
            names.add(command.split()[2])
            names.update(re.findall(r"\|\s+([a-z][a-z-]*)", command))
    return names


def test_every_cli_subcommand_is_in_the_readme_and_nothing_else():
    commands = set(_subparsers())
    assert {"ingest", "rate", "refresh", "bench"} <= commands
    assert commands_in_readme() == commands, {"не описаны": commands - commands_in_readme(),
                                              "нет в cli.py": commands_in_readme() - commands}


def test_every_cli_option_is_in_the_readme():
    missing = {}
    for name, parser in _subparsers().items():
        options = [o for a in parser._actions for o in a.option_strings if o.startswith("--") and o != "--help"]
        absent = [o for o in options if not re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", README)]
        if absent:
            missing[name] = absent
    assert missing == {}, f"параметры cli.py, которых нет в README: {missing}"


def test_every_indicator_of_the_methodology_files_is_in_the_readme():
    table = _section("Показатели методики")
    methodologies = load_methodologies()
    assert methodologies
    for methodology in methodologies:
        assert len(methodology.indicators) >= 14
        for code, spec in methodology.indicators.items():
            row = next((line for line in table.splitlines() if line.startswith(f"| {code} |")), None)
            assert row is not None, f"{code} ({methodology.id}) нет в таблице «Показатели методики»"
            assert spec.title in row and methodology.blocks[spec.block] in row, (code, row)
    shown = {line.split("|")[1].strip() for line in table.splitlines() if re.match(r"\| [A-Z]\d+ \|", line)}
    assert shown == {code for m in methodologies for code in m.indicators}  # no indicator the files do not have


def test_the_methodology_screen_shows_the_file_in_force(sqlite_url, monkeypatch):
    """«Методика» is built from the methodology file: its tables hold every indicator with its name, block and
    weight, every norm and every zone of the version it names."""
    from streamlit.testing.v1 import AppTest

    from core.domain import KIND_LABELS
    from core.labels import percent_ru
    monkeypatch.setenv("GOSPABLIKI_DATABASE_URL", sqlite_url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)  # bounds a hang only
    at.run()
    at.switch_page("app_pages/methodology.py").run()
    assert not at.exception, [e.value for e in at.exception]
    version = re.search(r"Версия «([^»]+)»", " ".join(c.value for c in at.caption)).group(1)
    methodology = next(m for m in load_methodologies() if m.id == version)
    norms, indicators, zones = (df.value for df in at.dataframe[:3])
    assert [tuple(r) for r in indicators[["Код", "Показатель", "Блок", "Вес"]].itertuples(index=False)] == [
        (code, spec.title, methodology.blocks[spec.block], spec.weight)
        for code, spec in methodology.indicators.items()]
    assert dict(zip(norms["Тип владельца"], norms["Публикаций в неделю, не менее"])) == {
        KIND_LABELS[kind]: value for kind, value in methodology.norms.posts_per_week.items()}
    assert list(zones["Зона"]) == [z.name for z in methodology.zones]
    rules = " ".join(m.value for m in at.markdown)
    assert f"меньше {methodology.gates.min_counted_weeks} по блокам B–E не оценивается" in rules
    assert f"{percent_ru(methodology.composite.body)} × оценка органа" in rules


@pytest.mark.parametrize("setting", ["GOSPABLIKI_SMTP_", "GOSPABLIKI_LOGIN_FREE_FAILURES"])
def test_the_settings_scan_would_notice_a_missing_line(setting, monkeypatch):
    """The check above can fail: with a setting's lines taken out of the README, it is reported."""
    monkeypatch.setattr(f"{__name__}.README", "\n".join(line for line in README.splitlines()
                                                        if setting.rstrip("_") not in line))
    documented = settings_in_readme()
    assert not any(d.startswith(setting.rstrip("_")) for d in documented)

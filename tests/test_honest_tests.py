"""The tests themselves can fail (issue 22 §6): read as source, no test asserts a constant or hides its condition
in the message, swallows an exception, measures a duration (timings belong in `cli.py bench`), or skips when a
tool or server is missing on CI; every test checks something."""
import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
FILES = sorted(TESTS.glob("*.py"))
# a skip that is about the machine's network, not a missing tool: it cannot be made to pass on CI either
SKIPS_ALLOWED = {("test_e2e_security.py", "test_without_auth_only_this_machine_is_served")}
CHECKS = ("raises", "fail", "expect", "wait_for", "assert_frame_equal", "assert_series_equal", "check")


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.name}:{node.lineno}"


def test_no_assert_that_cannot_fail():
    found = []
    for path in FILES:
        for node in ast.walk(_tree(path)):
            if not isinstance(node, ast.Assert):
                continue
            test, msg = node.test, node.msg
            if isinstance(test, ast.Constant):
                found.append(f"{_where(path, node)}: assert {ast.unparse(test)}")
            if isinstance(msg, (ast.BoolOp, ast.Compare)):  # `assert rc == 0, out and "x" in out`: a hidden check
                found.append(f"{_where(path, node)}: условие в сообщении: {ast.unparse(msg)[:80]}")
            if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or) and any(
                    isinstance(v, ast.Constant) and v.value for v in test.values):
                found.append(f"{_where(path, node)}: {ast.unparse(test)[:80]}")
    assert found == []


def test_no_exception_is_swallowed():
    found = []
    for path in FILES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.ExceptHandler) and all(
                    isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
                    for s in node.body):
                found.append(f"{_where(path, node)}: except {ast.unparse(node.type) if node.type else ''}: pass")
    assert found == []


def test_no_test_measures_a_duration():
    """Speed is measured by `cli.py bench` (medians, ratios, README «Производительность»), never asserted in a
    test, which would flake on a busy machine. (time.monotonic bounds a wait for a server; it times nothing.)"""
    found = []
    for path in FILES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Attribute) and node.attr in ("perf_counter", "perf_counter_ns", "process_time",
                                                                  "thread_time"):
                found.append(f"{_where(path, node)}: {ast.unparse(node)}")
            elif isinstance(node, ast.Attribute) and node.attr == "time" and isinstance(node.value, ast.Name) \
                    and node.value.id == "time":
                found.append(f"{_where(path, node)}: time.time")
            elif isinstance(node, (ast.Import, ast.ImportFrom)) and "timeit" in ast.unparse(node):
                found.append(f"{_where(path, node)}: timeit")
    assert found == []


def test_a_missing_tool_or_server_fails_on_ci():
    """Skips go through tests.environment.missing (fails when CI=true); nothing else reads CI."""
    found = []
    for path in FILES:
        if path.name == "environment.py":
            continue
        tree = _tree(path)
        for function in _functions(tree).values():
            for node in ast.walk(function):
                if isinstance(node, ast.Call) and ast.unparse(node.func) in ("pytest.skip", "pytest.importorskip") \
                        and (path.name, function.name) not in SKIPS_ALLOWED:
                    found.append(f"{_where(path, node)}: {ast.unparse(node)[:70]}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value == "CI" and path.name != Path(__file__).name:
                found.append(f"{_where(path, node)}: переменная CI читается не в tests/environment.py")
            if isinstance(node, ast.Attribute) and node.attr == "skipif":
                found.append(f"{_where(path, node)}: pytest.mark.skipif")
    assert found == []


def test_every_test_checks_something():
    """A test asserts, expects an exception, waits for an element (Playwright), or calls a helper of its module
    that does."""
    found = []
    for path in FILES:
        functions = _functions(_tree(path))

        def checks(function: ast.FunctionDef, seen: set[str]) -> bool:
            for node in ast.walk(function):
                if isinstance(node, (ast.Assert, ast.Raise)):
                    return True
                if isinstance(node, ast.Call):
                    name = _call_name(node)
                    if any(name.startswith(c) or name.endswith(c) for c in CHECKS) or name.startswith("assert"):
                        return True
                    if name in functions and name not in seen and checks(functions[name], seen | {name}):
                        return True
            return False

        found += [f"{path.name}::{name}" for name, function in functions.items()
                  if name.startswith("test_") and not checks(function, {name})]
    assert found == []


@pytest.mark.parametrize("source, test", [
    ("def test_x():\n    assert True\n", test_no_assert_that_cannot_fail),
    ("def test_x(rc, out):\n    assert rc == 0, out and 'готово' in out\n", test_no_assert_that_cannot_fail),
    ("def test_x():\n    try:\n        f()\n    except Exception:\n        pass\n", test_no_exception_is_swallowed),
    ("import time\ndef test_x():\n    t = time.perf_counter()\n    assert t\n", test_no_test_measures_a_duration),
    ("import pytest\ndef test_x():\n    pytest.skip('нет Chromium')\n", test_a_missing_tool_or_server_fails_on_ci),
    ("def test_x():\n    x = 1\n", test_every_test_checks_something),
])
def test_each_rule_finds_its_case(source, test, tmp_path, monkeypatch):
    """Each check above fails on a file with the fault it looks for."""
    bad = tmp_path / "test_bad.py"
    bad.write_text(source, encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.FILES", [bad])
    with pytest.raises(AssertionError):
        test()

"""The screens of the app as app.py declares them (its `st.Page` entries), read from its source: the one list the
tests (AppTest, end-to-end) and the bench (`cli.py bench`, benchmark/run.py) walk, so that a new screen is tested
and measured without anybody adding it to a list by hand. app.py is parsed, not run (running it needs Streamlit)."""
import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from storage.users import ROLES  # each sees what the ones before it see

APP = Path(__file__).resolve().parent.parent / "app.py"


@dataclass(frozen=True)
class Screen:
    path: str  # "app_pages/rating.py", as AppTest.switch_page takes it
    title: str  # the navigation's label, «Рейтинг»
    url_path: str  # "rating": the browser opens it at /rating
    section: str  # the navigation group, «Мониторинг»
    role: str | None  # the entry is shown only to this role and above (app.py: `if can("analyst")`); None: to all
    default: bool  # the page `/` opens

    @property
    def name(self) -> str:
        """The page's file name without .py («body_card»): the key of the bench's screens_s / screens_open_s."""
        return Path(self.path).stem

    def visible_to(self, role: str) -> bool:
        return self.role is None or ROLES.index(role) >= ROLES.index(self.role)


def _text(node: ast.expr) -> str:
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        raise ValueError(f"app.py, строка {node.lineno}: ожидалась строка, а не {ast.unparse(node)}")
    return node.value


def _is_st(func: ast.expr, name: str) -> bool:
    return isinstance(func, ast.Attribute) and func.attr == name and isinstance(func.value, ast.Name) \
        and func.value.id == "st"


def _role_of(test: ast.expr) -> str | None:
    """`can("analyst")` → "analyst"."""
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "can":
        return _text(test.args[0])
    raise ValueError(f"app.py, строка {test.lineno}: неизвестное условие показа страницы {ast.unparse(test)}")


def _collect(node: ast.expr, section: str, role: str | None, found: list[Screen]) -> None:
    if isinstance(node, ast.Call) and _is_st(node.func, "Page"):
        options = {k.arg: k.value for k in node.keywords}
        found.append(Screen(path=_text(node.args[0]), title=_text(options["title"]),
                            url_path=_text(options["url_path"]), section=section, role=role,
                            default=isinstance(options.get("default"), ast.Constant) and options["default"].value is True))
    elif isinstance(node, ast.IfExp):
        _collect(node.body, section, _role_of(node.test), found)
        _collect(node.orelse, section, role, found)
    elif isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values):  # key None: a `**{…}` spread
            _collect(value, section if key is None else _text(key), role, found)
    elif isinstance(node, (ast.List, ast.Tuple)):
        for element in node.elts:
            _collect(element, section, role, found)
    elif isinstance(node, ast.Starred):
        _collect(node.value, section, role, found)
    else:
        raise ValueError(f"app.py, строка {node.lineno}: непонятная запись навигации {ast.unparse(node)[:80]}")


@cache
def app_screens() -> tuple[Screen, ...]:
    """Every screen of app.py's `st.navigation`, in its order."""
    tree = ast.parse(APP.read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _is_st(n.func, "navigation")]
    if len(calls) != 1:
        raise ValueError(f"app.py: ожидался один вызов st.navigation, найдено {len(calls)}")
    found: list[Screen] = []
    _collect(calls[0].args[0], "", None, found)
    return tuple(found)


def screen_names(role: str = "admin") -> list[str]:
    """The screens a user of `role` has (without sign-in the local user is an administrator: every screen)."""
    return [s.name for s in app_screens() if s.visible_to(role)]

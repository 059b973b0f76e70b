"""The shape of the house (style.md): only app_pages/ and app.py import streamlit; scoring never reads storage."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "loaders", "scoring", "storage", "services", "reports", "demo")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_only_pages_import_streamlit():
    offenders = [str(p.relative_to(ROOT)) for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")
                 if "streamlit" in imports_of(p)] + (["cli.py"] if "streamlit" in imports_of(ROOT / "cli.py") else [])
    assert offenders == []


def test_scoring_is_pure():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "scoring").rglob("*.py")
                 if imports_of(p) & {"storage", "sqlalchemy", "streamlit", "app_pages"}]
    assert offenders == []


def test_loaders_do_not_touch_the_database():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "loaders").rglob("*.py")
                 if imports_of(p) & {"storage", "sqlalchemy", "streamlit"}]
    assert offenders == []


def test_storage_never_imports_scoring():
    """style.md: storage never imports scoring; the quarter service (services/) joins the two."""
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "storage").rglob("*.py")
                 if imports_of(p) & {"scoring", "services", "streamlit", "app_pages", "reports"}]
    assert offenders == []


def test_services_sit_above_storage_and_scoring_only():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "services").rglob("*.py")
                 if imports_of(p) & {"streamlit", "app_pages"}]
    assert offenders == []


def _project_files() -> list[Path]:
    return [p for p in ROOT.rglob("*.py") if not any(part.startswith(".") for part in p.relative_to(ROOT).parts)]


def test_methodology_is_read_as_typed_values_only_in_its_loader():
    """Issue 22: the methodology file becomes frozen dataclasses once, in scoring/methodology.py; nothing else reads
    it by string keys (`m.raw["gates"]`), and the typed Methodology keeps no `raw` dict to read. The pandas
    references in benchmark/ are independent re-implementations: they parse the file's TOML text themselves
    (`tomllib.loads(m.source)`), which also checks the typed loader against the file."""
    from dataclasses import fields

    from scoring.methodology import Methodology
    assert "raw" not in {f.name for f in fields(Methodology)} and not hasattr(Methodology, "raw")
    loader = ROOT / "scoring" / "methodology.py"
    offenders = []
    for path in _project_files():
        if path == loader:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            attribute = isinstance(node, ast.Attribute) and node.attr == "raw"  # m.raw, m.raw[…]
            keyed = (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "raw"
                     and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str))  # raw["…"]
            if attribute or keyed:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_screen_pages_are_small():
    """style.md «Small files», issue 22 «no page over 150 lines»: every file of app_pages/ — the screens and their
    parts (forms, cached readers, shared widgets) — stays under 150 lines; its data comes from a view builder."""
    files = sorted((ROOT / "app_pages").glob("*.py"))
    assert {"_shared.py", "registry.py"} <= {p.name for p in files}  # the glob sees the parts, not only the screens
    long = {str(p.relative_to(ROOT)): n for p in files if (n := len(p.read_text(encoding="utf-8").splitlines())) > 150}
    assert long == {}


def test_screens_read_the_rating_as_frames():
    """issue 22: the rating reaches the screens as scoring.tables.RatingTables; no page or view turns a JSON-shaped
    payload back into frames, and the quarter service stores no JSON."""
    files = [*(ROOT / "app_pages").glob("*.py"), *(ROOT / "scoring" / "views").glob("*.py")]
    offenders = [str(p.relative_to(ROOT)) for p in files
                 if any(name in p.read_text(encoding="utf-8") for name in ("table_frame", "payload_tables"))]
    assert offenders == []
    service = (ROOT / "services" / "quarters.py").read_text(encoding="utf-8")
    assert "decode_payload" not in service and "zlib" not in service

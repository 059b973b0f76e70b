"""The demo loader (demo/build.py): its files are written once and reused, and the files read by other processes are
still written one upload after the other, in the manifest's order, each its own batch."""
import json
from pathlib import Path

from sqlalchemy import select

from demo import exports
from demo.build import write_demo
from storage import schema
from storage.db import make_engine


def test_telegram_layout_is_json_dumps_indent_1_byte_for_byte():
    document = {"name": "Администрация «Томск» — обсуждение", "type": "public_channel", "id": 1800132589,
                "messages": [{"id": 1, "text": "Строка\nс переводом, \"кавычками\", \\ и \t табуляцией 👍",
                              "text_entities": [], "reactions": [{"type": "emoji", "count": 3, "emoji": "👍"}],
                              "empty": {}, "none": None, "yes": True, "ratio": 0.5, "control": "\x01\x1f",
                              "nested": [[], [{}], [1, [2, [3]]]]}]}
    assert exports._indented(document) == json.dumps(document, ensure_ascii=False, indent=1).encode()


def test_demo_files_are_reused_and_loaded_in_manifest_order(demo_dir, demo_db_url):
    manifest = json.loads((demo_dir / "manifest.json").read_text(encoding="utf-8"))
    stamps = {p: p.stat().st_mtime_ns for p in demo_dir.rglob("*") if p.is_file()}
    assert write_demo(demo_dir.parent) == (demo_dir, manifest["files"]) and manifest["key"] == demo_dir.name
    assert {p: p.stat().st_mtime_ns for p in demo_dir.rglob("*") if p.is_file()} == stamps  # nothing written again
    engine = make_engine(demo_db_url)
    b = schema.batches
    with engine.connect() as conn:
        batches = conn.execute(select(b.c.id, b.c.filename, b.c.kind, b.c.status, b.c.period_from).order_by(b.c.id)).all()
    engine.dispose()
    files = manifest["files"]
    assert len(batches) == len(files) == 1413
    assert [r.filename for r in batches] == [Path(f["path"]).name for f in files]
    assert [r.kind for r in batches] == [f["kind"] for f in files] and {r.status for r in batches} == {"active"}
    # every activity export states its period: the batch covers it (the file was written with its own entry)
    assert all((r.period_from is not None) == ("period" in f) for r, f in zip(batches, files) if f["kind"] == "activity")


def test_a_refused_file_keeps_the_files_before_it_and_leaves_nothing_of_its_own(demo_dir, tmp_path, monkeypatch):
    """The demo writes many files in one transaction, each in a savepoint: a file the writer refuses (here an
    export assigned to a page the registry does not have) stops the demo with its Russian message, nothing of it
    is stored, and the files before it are — also those that shared its transaction."""
    import pytest

    from demo import build
    from loaders.errors import LoadError
    files = json.loads((demo_dir / "manifest.json").read_text(encoding="utf-8"))["files"]
    registry = [f for f in files if f["kind"] == "registry"][:1]
    activity = [f for f in files if f["kind"] == "activity"][:5]
    bad = {**activity[3], "page": "https://vk.com/no_such_page_in_registry"}
    monkeypatch.setattr(build, "write_demo", lambda out_dir, workers=None: (demo_dir, [*registry, *activity[:3], bad,
                                                                                     activity[4]]))
    monkeypatch.setattr(build, "FILES_PER_COMMIT", 2)
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    with pytest.raises(LoadError) as error:
        build.load_demo(engine, demo_dir, workers=1)
    assert "no_such_page_in_registry" in str(error.value)
    with engine.connect() as conn:
        stored = conn.execute(select(schema.batches.c.filename).order_by(schema.batches.c.id)).scalars().all()
        pages = conn.execute(select(schema.posts.c.batch_id).distinct()).scalars().all()
    engine.dispose()
    assert stored == [Path(f["path"]).name for f in [*registry, *activity[:3]]]
    assert len(pages) <= 3  # posts only of the stored batches (the registry has none)

"""dlbook_build.deps: the import graph that decides which chapters, figures and scenes an edit remakes."""

from __future__ import annotations

from pathlib import Path

from dlbook_build.deps import fingerprint, imported_names, module_closure


def test_imported_names_handles_every_import_form() -> None:
    source = "import a.b\nfrom c import d, e\nfrom .f import g\nfrom .. import h\n%matplotlib inline\n"
    names = imported_names(source, module="pkg.sub.mod")
    assert {"a.b", "c", "c.d", "c.e", "pkg.sub.f", "pkg.sub.f.g", "pkg", "pkg.h"} <= names


def test_relative_imports_inside_a_package_init() -> None:
    names = imported_names("from .x import y", module="pkg.sub", is_package=True)
    assert "pkg.sub.x" in names


def test_unparsable_code_contributes_nothing() -> None:
    assert imported_names("def broken(:\n  import x") == set()


def test_closure_follows_our_modules_only(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "nn").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "nn" / "__init__.py").write_text("from .layers import Dense\n")
    (pkg / "nn" / "layers.py").write_text("import torch\nfrom pkg.utils import helper\n")
    (pkg / "utils.py").write_text("import numpy\n")
    (pkg / "unused.py").write_text("")
    found = module_closure(["import os\nfrom pkg.nn import Dense"], {"pkg": pkg})
    assert list(found) == ["pkg", "pkg.nn", "pkg.nn.layers", "pkg.utils"]
    assert found["pkg.nn.layers"] == pkg / "nn" / "layers.py"


def test_real_dlbook_modules_are_found() -> None:
    root = Path(__file__).resolve().parents[2] / "dlbook"
    found = module_closure(["from dlbook.figures import show"], {"dlbook": root})
    assert {"dlbook", "dlbook.figures", "dlbook.figures.display", "dlbook.figures.store"} <= set(found)


def test_lazily_exported_names_reach_their_module(tmp_path: Path) -> None:
    """``from pkg import fit`` with a PEP 562 export table depends on the module behind ``fit``."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text('_EXPORTS = {"fit": "pkg.train", "Adam": "pkg.optim"}\n')
    (pkg / "train.py").write_text("from pkg.utils import seed\n")
    (pkg / "optim.py").write_text("")
    (pkg / "utils.py").write_text("")
    found = module_closure(["from pkg import fit"], {"pkg": pkg})
    assert list(found) == ["pkg", "pkg.train", "pkg.utils"]  # not pkg.optim: nothing asked for Adam


def test_every_dlbook_export_is_followed() -> None:
    import dlbook

    root = Path(__file__).resolve().parents[2] / "dlbook"
    for name, module in dlbook._EXPORTS.items():
        assert module in module_closure([f"from dlbook import {name}"], {"dlbook": root}), name


def _lazy_package(tmp_path: Path, exports: str, extra: str = "") -> Path:
    pkg = tmp_path / "pkg"
    pkg.mkdir(exist_ok=True)
    (pkg / "__init__.py").write_text(f'"""Lazy."""\n_EXPORTS = {exports}\n{extra}')
    for name in ("train", "optim", "utils"):
        (pkg / f"{name}.py").write_text(f"X = {name!r}\n")
    return pkg


def test_fingerprint_counts_only_the_exports_used(tmp_path: Path) -> None:
    pkg = _lazy_package(tmp_path, '{"fit": "pkg.train"}')
    before = fingerprint(["from pkg import fit"], {"pkg": pkg})
    assert list(before) == ["pkg", "pkg.train"]
    _lazy_package(tmp_path, '{"fit": "pkg.train", "Adam": "pkg.optim"}')  # a new export
    assert fingerprint(["from pkg import fit"], {"pkg": pkg}) == before
    _lazy_package(tmp_path, '{"fit": "pkg.utils", "Adam": "pkg.optim"}')  # the used one moved
    moved = fingerprint(["from pkg import fit"], {"pkg": pkg})
    assert moved["pkg"] != before["pkg"] and "pkg.utils" in moved
    _lazy_package(tmp_path, '{"fit": "pkg.train"}', extra="VERSION = 2\n")  # the rest of the init
    assert fingerprint(["from pkg import fit"], {"pkg": pkg})["pkg"] != before["pkg"]


def test_fingerprint_hashes_a_plain_module_whole(tmp_path: Path) -> None:
    pkg = _lazy_package(tmp_path, "{}")
    before = fingerprint(["import pkg.train"], {"pkg": pkg})
    (pkg / "train.py").write_text("X = 'edited'\n")
    after = fingerprint(["import pkg.train"], {"pkg": pkg})
    assert after["pkg.train"] != before["pkg.train"] and after["pkg"] == before["pkg"]


def test_chapters_figures_and_scenes_share_the_one_rule() -> None:
    """The three keys are built by deps.fingerprint, not by rules of their own."""
    import inspect

    from dlbook_build import animations, cache
    from dlbook_build.figures import pipeline

    for module, function in ((cache, cache.chapter_key), (animations, animations.scene_key),
                             (pipeline, pipeline.code_hash)):
        assert module.fingerprint is fingerprint, module.__name__
        assert "fingerprint(" in inspect.getsource(function), function.__qualname__

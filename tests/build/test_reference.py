"""dlbook_build.reference: the API reference's pages, its "taught in" lines and the chapters' links.

Unit-level: a throwaway package (or the real dlbook folder, read only) and hand-made chapters;
the full site build (tests/site/) checks that the built pages and links exist.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files

from dlbook_build.reference import (
    INDEX,
    MARKER,
    ChapterRef,
    Reference,
    Taught,
    definition_chain,
    docstring_markdown,
    expand_nav,
    html_ids,
    index_markdown,
    library_html,
    library_uses,
    module_markdown,
    module_members,
    nav_titles,
    page_uri,
    public_modules,
    shadowed_exports,
    summary,
    taught_in,
)

ROOT = Path(__file__).resolve().parents[2]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    """A small library laid out like dlbook: lazy exports, a re-export, a sub-package whose
    export shares its name with a submodule, a private module."""
    p = tmp_path / "lib"
    write(p / "__init__.py", '"""lib: a library."""\n_EXPORTS = {"fit": "lib.train", "SGD": "lib.optim"}\n')
    write(p / "optim.py", '"""Optimizers."""\nclass SGD:\n    """Plain SGD."""\n')
    write(p / "metrics.py", '"""Metrics: how good a model is.\n\nMore prose."""\ndef accuracy(): ...\n')
    write(p / "train.py", '"""Training loops."""\nfrom lib.metrics import accuracy\nfrom .optim import SGD\n'
                           "def fit(): ...\nHISTORY: list = []\n")
    write(p / "_private.py", '"""Not public."""\n')
    write(p / "figures" / "__init__.py", '"""Figures."""\nfrom lib.figures.show import show\n'
                                          'from .store import load\n__all__ = ["load", "show"]\n')
    write(p / "figures" / "show.py", "def show(): ...\n")
    write(p / "figures" / "store.py", "def load(): ...\n")
    write(p / "notes.txt", "not a module\n")
    return p


def roots(pkg: Path) -> dict[str, Path]:
    return {"lib": pkg}


# --- pages: exactly the public modules -------------------------------------------------------


def test_public_modules_are_the_files_of_the_package(pkg: Path) -> None:
    assert public_modules(pkg, "lib") == ["lib.figures", "lib.metrics", "lib.optim", "lib.train"]
    write(pkg / "schedules.py", '"""Schedules."""\n')  # a new module gets a page, no list to edit
    assert "lib.schedules" in public_modules(pkg, "lib")


def test_the_real_library_has_a_page_per_public_module() -> None:
    dlbook = ROOT / "dlbook"
    expected = {f"dlbook.{p.stem}" for p in dlbook.glob("*.py") if not p.name.startswith("_")}
    expected.add("dlbook.figures")
    assert set(public_modules(dlbook)) == expected
    for module in expected:  # every page has a one-line summary to list
        path = dlbook / f"{module.split('.')[1]}.py"
        assert summary(path if path.is_file() else dlbook / "figures" / "__init__.py"), module


def test_page_uri() -> None:
    assert page_uri("dlbook.optim") == "reference/optim.md"
    assert page_uri("dlbook.figures") == "reference/figures.md"


def test_summary_is_the_first_docstring_line(pkg: Path) -> None:
    assert summary(pkg / "metrics.py") == "Metrics: how good a model is."
    assert summary(pkg / "figures" / "show.py") == ""


def test_index_lists_every_module_with_its_summary() -> None:
    text = index_markdown([("lib.optim", "Optimizers."), ("lib.train", "Training loops.")], package="lib")
    assert "# API reference" in text
    assert "- [`lib.optim`](optim.md): Optimizers." in text
    assert "- [`lib.train`](train.md): Training loops." in text


def test_a_module_page_is_a_mkdocstrings_block_with_its_chapters() -> None:
    a = ChapterRef("training/gradient-descent.py", "Gradient descent")
    b = ChapterRef("neurons/perceptron.py", "The perceptron")
    text = module_markdown("lib.optim", Taught(direct=[a], indirect=[b]))
    assert "# lib.optim" in text and "\n::: lib.optim\n" in text
    assert "**Taught in:** [Gradient descent](../training/gradient-descent.py)" in text
    assert "**Also runs in:** [The perceptron](../neurons/perceptron.py)" in text
    assert "no chapter" in module_markdown("lib.optim", Taught([], []))


def test_a_module_page_shows_its_own_names_and_links_its_reexports(pkg: Path) -> None:
    write(pkg / "train.py", '"""Training."""\nfrom lib.metrics import accuracy\nimport os\n'
                            '__all__ = ["fit", "accuracy", "History"]\n'
                            'class History: ...\ndef _helper(): ...\ndef fit(): ...\ndef unlisted(): ...\n')
    members = module_members(pkg / "train.py", "lib.train")
    assert members.own == ["History", "fit"]  # source order; __all__ decides what is public
    assert members.reexported == ["accuracy"]
    assert module_members(pkg / "optim.py", "lib.optim").own == ["SGD"]  # no __all__: public names
    text = module_markdown("lib.train", Taught([], []), members=members.own,
                           reexported=[("accuracy", "lib.metrics.accuracy")])
    assert "::: lib.train\n    options:\n      members: [History, fit]\n" in text
    assert '<autoref identifier="lib.metrics.accuracy" optional><code>accuracy</code></autoref>' in text


def test_a_package_page_documents_exports_shadowed_by_submodules(pkg: Path) -> None:
    extra = shadowed_exports(pkg / "figures" / "__init__.py", "lib.figures")
    assert extra == ["lib.figures.show.show"]  # "load" is not shadowed: store.py is another name
    text = module_markdown("lib.figures", Taught([], []), extra=extra)
    assert "::: lib.figures.show.show\n    options:\n      show_root_heading: true" in text


# --- taught in -------------------------------------------------------------------------------


def test_definition_chain_follows_reexports_and_lazy_exports(pkg: Path) -> None:
    assert definition_chain("lib", "fit", roots(pkg)) == [("lib", "fit"), ("lib.train", "fit")]
    assert definition_chain("lib.train", "accuracy", roots(pkg))[-1] == ("lib.metrics", "accuracy")
    assert definition_chain("lib.train", "SGD", roots(pkg))[-1] == ("lib.optim", "SGD")
    assert definition_chain("lib", "figures", roots(pkg))[-1] == ("lib.figures", "")
    assert definition_chain("lib.figures", "show", roots(pkg))[-1] == ("lib.figures.show", "show")


def test_taught_in_is_computed_from_the_chapters_imports(pkg: Path) -> None:
    public = public_modules(pkg, "lib")
    code = ["from lib import fit\nimport torch", "from lib.train import accuracy\n%matplotlib inline"]
    uses = library_uses(code, roots(pkg), public, "lib")
    one = ChapterRef("a/one.py", "One", uses, modules=["lib", "lib.train", "lib.metrics", "lib.optim"])
    two = ChapterRef("b/two.py", "Two", library_uses(["import lib.optim as o"], roots(pkg), public, "lib"),
                     modules=["lib", "lib.optim"])
    taught = taught_in([one, two], public)
    assert [c.title for c in taught["lib.train"].direct] == ["One"]
    assert [c.title for c in taught["lib.metrics"].direct] == ["One"]  # accuracy, through train
    assert [c.title for c in taught["lib.optim"].direct] == ["Two"]
    assert [c.title for c in taught["lib.optim"].indirect] == ["One"]  # train imports it
    assert taught["lib.figures"] == Taught([], [])


def test_the_real_book_computes_taught_in_from_chapter_code() -> None:
    dlbook = ROOT / "dlbook"
    public = public_modules(dlbook)
    uses = library_uses(["from dlbook.optim import SGD\nfrom dlbook import fit"], {"dlbook": dlbook}, public)
    chapter = ChapterRef("training/x.py", "X", uses)
    taught = taught_in([chapter], public)
    assert taught["dlbook.optim"].direct == [chapter] and taught["dlbook.train"].direct == [chapter]
    assert taught["dlbook.losses"].direct == []


# --- a chapter's names, linked ---------------------------------------------------------------


def test_library_uses_name_each_import_and_where_it_is_documented(pkg: Path) -> None:
    public = public_modules(pkg, "lib")
    code = ["from lib import fit, SGD\nfrom lib.train import accuracy, fit as fit_again",
            "from lib.figures import show, load\nfrom lib import figures\nimport lib\n"
            "from lib import nothing"]
    uses = {u.name: u for u in library_uses(code, roots(pkg), public, "lib")}
    assert list(uses) == ["fit", "SGD", "accuracy", "show", "load", "figures", "nothing"]  # fit once
    assert uses["fit"].candidates[0] == ("lib.train", "lib.train.fit")
    assert uses["SGD"].candidates[0] == ("lib.optim", "lib.optim.SGD")
    assert uses["accuracy"].candidates == (("lib.metrics", "lib.metrics.accuracy"),
                                           ("lib.train", "lib.train.accuracy"))
    # an export of a package is shown on the package's page, under its own path or the package's
    assert uses["load"].candidates == (("lib.figures", "lib.figures.store.load"),
                                       ("lib.figures", "lib.figures.load"))
    assert uses["show"].candidates[0] == ("lib.figures", "lib.figures.show.show")
    assert uses["figures"].candidates == (("lib.figures", ""),)  # a module: its page
    assert uses["nothing"].candidates == ()


def test_library_html_links_only_to_ids_the_pages_have(pkg: Path) -> None:
    public = public_modules(pkg, "lib")
    code = ["from lib.train import fit, accuracy\nfrom lib.figures import load\nfrom lib import figures"]
    uses = library_uses(code, roots(pkg), public, "lib")
    ids = {"lib.train": {"lib.train.fit", "lib.train.accuracy"},  # accuracy: not on metrics' page
           "lib.metrics": set(), "lib.figures": {"lib.figures.load"}}
    urls = {m: f"../../reference/{m.split('.')[1]}/" for m in public}
    out = library_html(uses, ids, urls)
    links = dict(re.findall(r'<a href="([^"]+)" title="[^"]+"><code>(\w+)</code></a>', out))
    assert {v: k for k, v in links.items()} == {
        "fit": "../../reference/train/#lib.train.fit",
        "accuracy": "../../reference/train/#lib.train.accuracy",
        "load": "../../reference/figures/#lib.figures.load",
        "figures": "../../reference/figures/",
    }
    assert out.startswith('<details class="note dlbook-library"><summary>Library used here: ')
    no_ids = library_html(uses, {}, urls)  # nothing rendered: names shown, none linked
    assert no_ids.count("<a ") == 1 and "<code>fit</code>" in no_ids  # only the module's page
    assert library_html([], ids, urls) == ""


def test_html_ids() -> None:
    page = '<h2 id="lib.optim.SGD" class="x">SGD</h2><a href="#a" id=\'b\'>'
    assert html_ids(page) == {"lib.optim.SGD", "b"}


# --- nav, and the MkDocs glue ----------------------------------------------------------------


def test_expand_nav_turns_the_index_entry_into_a_section_once() -> None:
    nav = [{"Home": "index.md"}, {"Learning": [{"Fit": "training/fit.py"}]},
           {"API reference": "reference/index.md"}]
    entries = [("lib.optim", "reference/optim.md"), ("lib.train", "reference/train.md")]
    assert expand_nav(nav, entries)
    section = [INDEX, {"lib.optim": "reference/optim.md"}, {"lib.train": "reference/train.md"}]
    assert nav[2] == {"API reference": section}
    assert expand_nav(nav, entries) and nav[2] == {"API reference": section}  # a rebuild: no repeats
    assert nav_titles(nav)["training/fit.py"] == "Fit"
    assert not expand_nav([{"Home": "index.md"}], entries)


def test_reference_adds_pages_and_fills_the_library_line(pkg: Path, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    config = MkDocsConfig()
    config.load_dict({"site_name": "t", "docs_dir": str(docs), "site_dir": str(tmp_path / "site"),
                      "nav": [{"Chapter one": "a/one.py"}, {"API reference": INDEX}],
                      "plugins": ["mkdocstrings"]})
    assert not config.validate()[0]
    config.plugins._current_plugin = "dlbook"  # as while MkDocs runs the plugin's on_files
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Heading"),
                                         nbformat.v4.new_code_cell("from lib import fit, SGD")])
    chapter = SimpleNamespace(notebook=nb, key=SimpleNamespace(modules={"lib": "", "lib.train": "",
                                                                        "lib.metrics": ""}))
    ref = Reference(roots(pkg), package="lib")
    files = ref.add_pages(Files([]), config, {"a/one.py": chapter})  # type: ignore[dict-item]
    uris = sorted(f.src_uri for f in files)
    assert uris == ["reference/figures.md", "reference/index.md", "reference/metrics.md",
                    "reference/optim.md", "reference/train.md"]
    train = files.get_file_from_path("reference/train.md").content_string
    assert "**Taught in:** [Chapter one](../a/one.py)" in train
    assert "members: [fit, HISTORY]" in train
    assert "::: lib.figures\n" in files.get_file_from_path("reference/figures.md").content_string
    metrics = files.get_file_from_path("reference/metrics.md").content_string
    assert "**Also runs in:** [Chapter one](../a/one.py)" in metrics
    assert config.nav[1]["API reference"][1] == {"lib.figures": "reference/figures.md"}
    assert ref.placeholder("a/one.py") == MARKER and ref.placeholder("b/none.py") == ""

    # on_env: pages rendered; the chapter's line links the ids that the reference pages have
    def page(url: str, content: str) -> SimpleNamespace:
        return SimpleNamespace(url=url, content=content)

    for f in files:
        f.page = page(f.url, '<h2 id="lib.train.fit">fit</h2>' if f.src_uri == "reference/train.md" else "")
    chapter_file = SimpleNamespace(src_uri="a/one.py", url="a/one/",
                                   page=page("a/one/", f"<h1>One</h1>{MARKER}<p>text</p>"))
    everything = SimpleNamespace(get_file_from_path=lambda uri: chapter_file if uri == "a/one.py"
                                 else files.get_file_from_path(uri))
    ref.fill(everything)  # type: ignore[arg-type]
    html = chapter_file.page.content
    assert MARKER not in html
    assert '<a href="../../reference/train/#lib.train.fit" title="lib.train.fit"><code>fit</code></a>' in html
    assert '<span title="lib.optim.SGD"><code>SGD</code></span>' in html  # no such id rendered


def test_reference_is_off_without_mkdocstrings(pkg: Path, tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    config = MkDocsConfig()
    config.load_dict({"site_name": "t", "docs_dir": str(tmp_path / "docs"),
                      "site_dir": str(tmp_path / "site")})
    assert not config.validate()[0]
    ref = Reference(roots(pkg), package="lib")
    assert list(ref.add_pages(Files([]), config, {})) == []
    assert ref.placeholder("a/one.py") == ""


# --- docstrings as Markdown ------------------------------------------------------------------


def test_doctests_become_code_blocks_and_roles_code_spans() -> None:
    text = ("Summary.\n\nSee :mod:`lib.store` and :func:`~lib.store.load`.\n\n>>> x = 1\n>>> x + 1\n2\n\n"
            "After.\n    >>> indented()\n")
    out = docstring_markdown(text)
    assert "See `lib.store` and `load`." in out
    assert "```pycon\n>>> x = 1\n>>> x + 1\n2\n```\n\nAfter." in out
    assert "    ```pycon\n    >>> indented()\n    ```" in out
    fenced = "```python\n>>> kept\n```"
    assert docstring_markdown(fenced) == fenced
    google = "Summary.\n\nExamples:\n    >>> kept()\n"
    assert docstring_markdown(google) == google

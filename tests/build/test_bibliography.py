"""dlbook_build.bibliography: the chapters' References sections, merged into one page.

Unit-level (no site build): small synthetic chapters, then the real book's chapters read from
docs/. The built page itself is checked in tests/site/test_bibliography_site.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jupytext
from conftest import ROOT
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files

from dlbook_build.bibliography import (
    PAGE,
    add_page,
    bibliography_markdown,
    cited,
    merge,
    parse_item,
    references,
)

CHAPTER = '''# %% [markdown]
# # A chapter
#
# Prose.

# %%
x = 1

# %% [markdown]
# ## References
#
# Classics:
#
# - A. Author and B. Author, "A long title that goes on: and on", *Journal of Things* 12
#   (1999): what the chapter takes from it.
#   [doi:10.1000/ABC](https://doi.org/10.1000/ABC)
# - C. Writer, *A Book*, Press (2001).
#
# Recent:
#
# - D. Person et al., "Short", NeurIPS 2020, [arXiv:2001.00001](https://arxiv.org/abs/2001.00001): a note.
#
# ## Not references
#
# - not an item
'''

DOI = "[doi:10.1000/abc](https://doi.org/10.1000/abc)"


def notebook(source: str) -> Any:
    return jupytext.reads(source, fmt="py:percent")


def one(chapter: str, title: str = "The same work") -> str:
    return f'A. Author, "{title}", *Journal* 1 (1999): the part {chapter} uses. {DOI}'


# --- Reading a chapter ----------------------------------------------------------------------------


def test_references_joins_multi_line_items_and_stops_at_the_next_heading() -> None:
    items = references(notebook(CHAPTER))
    assert items == [
        'A. Author and B. Author, "A long title that goes on: and on", *Journal of Things* 12 '
        "(1999): what the chapter takes from it. [doi:10.1000/ABC](https://doi.org/10.1000/ABC)",
        "C. Writer, *A Book*, Press (2001).",
        'D. Person et al., "Short", NeurIPS 2020, '
        "[arXiv:2001.00001](https://arxiv.org/abs/2001.00001): a note.",
    ]


def test_a_chapter_without_references_cites_nothing() -> None:
    assert references(notebook("# %% [markdown]\n# # Title\n#\n# - a list, not references\n")) == []


def test_parse_item_splits_the_work_from_the_chapters_note_and_links() -> None:
    first, book, inline = (parse_item(text, "a/one.py") for text in references(notebook(CHAPTER)))
    assert first.core == ('A. Author and B. Author, "A long title that goes on: and on", '
                          "*Journal of Things* 12 (1999)")
    assert (first.title, first.surname, first.year) == ("A long title that goes on: and on", "Author", 1999)
    assert first.links == (("doi:10.1000/ABC", "https://doi.org/10.1000/ABC"),)
    assert (book.core, book.title, book.surname, book.year, book.links) == (
        "C. Writer, *A Book*, Press (2001)", "A Book", "Writer", 2001, ())
    assert inline.core == 'D. Person et al., "Short", NeurIPS 2020'
    assert (inline.surname, inline.year) == ("Person", 2020)
    assert inline.links == (("arXiv:2001.00001", "https://arxiv.org/abs/2001.00001"),)
    # a year inside parentheses takes the whole parenthesis; a series number is not a year
    lloyd = parse_item('S. P. Lloyd, "Least squares", *IEEE Trans.* 28 (1982; a report of 1957): k-means.')
    assert lloyd.core.endswith("28 (1982; a report of 1957)") and lloyd.year == 1982
    lecun = parse_item('Y. LeCun and K.-R. Müller, "Efficient backprop", Springer LNCS 1524 (1998): tricks.')
    assert (lecun.year, lecun.surname) == (1998, "LeCun")
    assert parse_item("D.-A. Clevert, the paper on ELUs, ICLR 2016.").surname == "Clevert"
    assert parse_item("The Nobel Prize in Physics 2024, awarded to two people.").year == 2024


# --- Merging and sorting --------------------------------------------------------------------------


def test_the_same_doi_cited_by_two_chapters_is_one_entry_with_two_cited_in_links() -> None:
    items = [parse_item(one("one"), "a/one.py"), parse_item(one("two", "A different wording"), "b/two.py")]
    entries = merge(items)
    assert len(entries) == 1 and entries[0].chapters == ["a/one.py", "b/two.py"]
    md = bibliography_markdown(entries, {"a/one.py": "One", "b/two.py": "Two"})
    assert md.count(DOI) == 1 and md.count("Cited in:") == 1
    assert "Cited in: [One](a/one.py), [Two](b/two.py)" in md
    assert "the part one uses" not in md  # a chapter's note stays on the chapter's page
    assert md.startswith("---\ntitle: Bibliography\n---\n\n# Bibliography\n")


def test_without_a_link_the_same_author_and_title_are_merged_and_others_kept_apart() -> None:
    items = [
        parse_item("D. O. Hebb, *The Organization of Behavior*, Wiley (1949).", "a/one.py"),
        parse_item("D. O. Hebb, *The organization of behavior*, Wiley (1949): learning. "
                   "[doi:10.4324/x](https://doi.org/10.4324/x) (reprint)", "b/two.py"),
        parse_item('F. Rosenblatt, "The perceptron: a perceiving automaton", Report (1957).', "b/two.py"),
        parse_item('F. Rosenblatt, "The perceptron: a probabilistic model", *Rev.* 65 (1958).', "b/two.py"),
    ]
    entries = merge(items)
    assert [len(e.items) for e in entries] == [2, 1, 1]
    assert entries[0].main.links  # the wording shown is the one with the DOI


def test_a_later_item_can_join_two_entries() -> None:
    items = [parse_item('A. Author, "Title", X (2000). [a](https://a.org)', "a/one.py"),
             parse_item('A. Author, "Other wording", X (2000). [b](https://b.org)', "b/two.py"),
             parse_item('A. Author, "Title", X (2000). [b](https://b.org)', "c/three.py")]
    entries = merge(items)
    assert len(entries) == 1 and entries[0].chapters == ["a/one.py", "b/two.py", "c/three.py"]


def test_entries_are_sorted_by_surname_then_year() -> None:
    texts = ['Z. Zed, "Last", X 2001.', 'B. Bee, "Later", X 2010.', 'A. Van Ay, "Third", X 1990.',
             'B. Bée and A. Zed, "Earlier", X (1950).', 'C. Émile, "Accent", X 1999.']
    entries = merge(parse_item(text, "a/one.py") for text in texts)
    assert [(e.main.surname, e.main.year) for e in entries] == [
        ("Bée", 1950), ("Bee", 2010), ("Émile", 1999), ("Van Ay", 1990), ("Zed", 2001)]


def test_add_page_adds_the_file_and_a_nav_entry_after_the_chapters(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    config = MkDocsConfig()
    config.load_dict({"site_name": "t", "docs_dir": str(tmp_path / "docs"),
                      "site_dir": str(tmp_path / "site"),
                      "nav": [{"Home": "index.md"}, {"Part": ["a/index.md", {"One": "a/one.py"}]},
                              {"Other": "b/two.py"}, {"API reference": "reference/index.md"}]})
    assert not config.validate()[0]
    config.plugins._current_plugin = "dlbook"  # as while MkDocs runs the plugin's on_files
    chapters: dict[str, Any] = {"a/one.py": SimpleNamespace(notebook=notebook(CHAPTER)),
                                "b/two.py": SimpleNamespace(notebook=notebook("# %% [markdown]\n# # Two\n"))}
    files = add_page(Files([]), config, chapters)
    md = files.get_file_from_path(PAGE).content_string
    assert md.count("Cited in: [One](a/one.py)") == 3
    assert config.nav[3] == {"Bibliography": PAGE}  # after the last chapter, before the reference
    assert config.nav[4] == {"API reference": "reference/index.md"}
    add_page(Files([]), config, chapters)  # a rebuild under `mkdocs serve`: no second entry
    assert sum(entry == {"Bibliography": PAGE} for entry in config.nav) == 1
    none: dict[str, Any] = {"b/two.py": chapters["b/two.py"]}
    assert list(add_page(Files([]), config, none)) == []  # nothing cited: no page


# --- The real book --------------------------------------------------------------------------------


def book() -> dict[str, Any]:
    pages = sorted((ROOT / "docs").glob("*/[!_]*.py"))
    assert pages
    return {p.relative_to(ROOT / "docs").as_posix(): jupytext.read(p) for p in pages}


def test_every_chapter_ends_with_references_and_every_item_is_in_the_bibliography() -> None:
    notebooks = book()
    missing = [uri for uri, nb in notebooks.items() if not references(nb)]
    assert not missing, f"chapters without a '## References' list: {missing}"
    items = cited(notebooks)
    entries = merge(items)
    md = bibliography_markdown(entries, {})
    blocks = md.split("\n- ")[1:]  # one per work
    assert len(blocks) == len(entries) >= 30
    for item in items:
        block = next((b for b, e in zip(blocks, entries, strict=True) if item in e.items), None)
        assert block is not None, item.text
        assert f"]({item.chapter})" in block.split("Cited in:")[1], (item.chapter, item.text)
        words = re.sub(r"[^\w]+", " ", item.title or item.core).casefold()
        assert words in re.sub(r"[^\w]+", " ", block).casefold(), (item.chapter, item.text)

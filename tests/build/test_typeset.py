"""Math typeset at build time (dlbook_build.typeset): KaTeX's HTML for every formula of a page."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlbook_build.typeset import KATEX_VERSION, TypesetError, Typesetter, mark_notebook_math


@pytest.fixture
def typesetter(tmp_path: Path) -> Typesetter:
    return Typesetter(tmp_path)


def test_inline_and_display_math_become_katex(typesetter: Typesetter) -> None:
    page = ('<p>A neuron computes '
            '<span class="arithmatex">\\(z = \\mathbf{w}^\\top\\mathbf{x} + b\\)</span>.</p>'
            '<div class="arithmatex">\\[\\sigma(z) = \\frac{1}{1 + e^{-z}}\\]</div>')
    out, count = typesetter.page(page, "docs/x.md")
    assert count == 2
    assert "\\(" not in out and "\\[" not in out
    assert out.count('class="katex"') == 2 and out.count('class="katex-display" tabindex="0"') == 1
    assert out.count("<math") == 2  # MathML beside the HTML, for screen readers
    assert "<mfrac>" in out
    assert out.startswith('<p>A neuron computes <span class="arithmatex"><span class="katex">')


def test_escaped_html_in_tex_is_read_back(typesetter: Typesetter) -> None:
    out, _ = typesetter.page('<span class="arithmatex">\\(a &lt; b \\,\\&amp;\\, c &gt; d\\)</span>', "p")
    assert "<mo>&lt;</mo>" in out and "<mo>&gt;</mo>" in out and "&amp;" in out


def test_a_bad_formula_names_the_page_and_the_formula(typesetter: Typesetter) -> None:
    with pytest.raises(TypesetError, match=r"docs/neurons/x\.py: KaTeX cannot typeset '\\\\frac\{1\}\{'.*"
                                           r"(end of input|expected)"):
        typesetter.page('<span class="arithmatex">\\(\\frac{1}{\\)</span>', "docs/neurons/x.py")
    with pytest.raises(TypesetError, match="Undefined control sequence"):
        typesetter.page('<span class="arithmatex">\\(\\notacommand x\\)</span>', "p")


def test_the_cache_keeps_renders_so_a_rebuild_runs_no_javascript(tmp_path: Path) -> None:
    page = '<span class="arithmatex">\\(x^2\\)</span> <span class="arithmatex">\\[\\sum_i x_i\\]</span>'
    first = Typesetter(tmp_path)
    out, _ = first.page(page, "p")
    assert first.rendered == 2
    first.save()
    assert (tmp_path / "typeset" / f"katex-{KATEX_VERSION}.json").is_file()
    second = Typesetter(tmp_path)
    again, _ = second.page(page, "p")
    assert again == out and second.rendered == 0 and second._engine is None
    # a formula no longer on any page is dropped from the cache at the next save
    second = Typesetter(tmp_path)
    second.page('<span class="arithmatex">\\(x^2\\)</span>', "p")
    second.save()
    assert len(Typesetter(tmp_path).known) == 1
    # a build that adds a formula to cached ones keeps it: the build after renders nothing
    third = Typesetter(tmp_path)
    third.page(page, "p")
    assert third.rendered == 1
    third.save()
    assert third.rendered == 1  # the build's log reports it after saving
    fourth = Typesetter(tmp_path)
    fourth.page(page, "p")
    assert fourth.rendered == 0 and fourth._engine is None


def test_macros_do_not_leak_between_formulas(typesetter: Typesetter) -> None:
    typesetter.page('<span class="arithmatex">\\(\\gdef\\foo{x} \\foo\\)</span>', "p")
    with pytest.raises(TypesetError, match="foo"):
        typesetter.page('<span class="arithmatex">\\(\\foo\\)</span>', "p")


def test_notebook_markdown_math_becomes_arithmatex_elements() -> None:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    mark_notebook_math()
    mark_notebook_math()  # once is enough; a second call changes nothing
    html = markdown2html_mistune("Costs $a<b$ and\n\n$$\\sum_i w_i x_i$$\n\n"
                                 "\\begin{align}y &= 1\\end{align}\n\nand `$HOME` stays code.")
    assert '<span class="arithmatex">\\(a&lt;b\\)</span>' in html
    assert '<span class="arithmatex">\\[\\sum_i w_i x_i\\]</span>' in html
    assert '<span class="arithmatex">\\[\\begin{align}y &amp;= 1\\end{align}\\]</span>' in html
    assert "<code>$HOME</code>" in html

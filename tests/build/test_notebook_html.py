"""mkdocs-jupyter's HTML fitted to the site (dlbook_build.notebook_html)."""

from __future__ import annotations

from dlbook_build.notebook_html import clean


def test_clean_notebook_html_keeps_cells_and_drops_jupyterlab() -> None:
    html = ('<style>.jp-Cell{}</style><script>ClipboardCopyElement</script>'
            '<script src="https://cdn.example.org/mathjax.js"></script><script>local()</script>'
            '<div class="zeroclipboard-container"><clipboard-copy for="c"><div>x</div>'
            '</clipboard-copy>\n</div>'
            '<div class="highlight-ipynb hl-python"><pre><span></span><span class="n">x</span></pre></div>'
            '<div class="clipboard-copy-txt" id="cell-1">x\n</div>\n'
            '<div class="jp-Cell-outputWrapper">1</div>')
    out = clean(html)
    assert out == ('<script>local()</script><div class="language-python highlight"><pre><code><span></span>'
                   '<span class="n">x</span></code></pre></div>'
                   '<div class="jp-Cell-outputWrapper" data-search-exclude="outputs">1</div>')


def test_clean_keeps_scripts_of_the_site_and_inline_ones() -> None:
    html = '<script src="../assets/x.js"></script><script type="application/json">{"a": 1}</script>'
    assert clean(html) == html

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


def test_markdown_text_between_headings_is_wrapped_in_flows() -> None:
    from dlbook_build.notebook_html import wrap_flow

    content = ('<h1 id="t">Title<a class="anchor-link" href="#t">¶</a></h1>\n'
               '<p>one<br>two <img src="a.png" alt="a"></p>'
               '<details><summary>Solution</summary><h3>not split</h3><p>x</p></details>\n'
               '<h2 id="b">B</h2>\n<ul><li>item</li></ul>')
    out = wrap_flow(content)
    assert out == ('<h1 id="t">Title<a class="anchor-link" href="#t">¶</a></h1>'
                   '<div class="dlbook-flow">\n<p>one<br>two <img src="a.png" alt="a"></p>'
                   '<details><summary>Solution</summary><h3>not split</h3><p>x</p></details>\n</div>'
                   '<h2 id="b">B</h2><div class="dlbook-flow">\n<ul><li>item</li></ul></div>')
    assert wrap_flow("<p>no heading</p>") == '<div class="dlbook-flow"><p>no heading</p></div>'
    assert wrap_flow("<h2>alone</h2>\n") == "<h2>alone</h2>\n"  # nothing blank is wrapped
    broken = "<p>a</div><h2>b</h2><p>c</p>"  # tags that do not balance: left as they are
    assert wrap_flow(broken) == broken


def test_clean_wraps_each_markdown_cell_up_to_its_own_closing_div() -> None:
    cell = ('<div class="jp-InputArea"><div class="jp-RenderedHTMLCommon jp-RenderedMarkdown '
            'jp-MarkdownOutput" data-mime-type="text/markdown">\n<h2>H</h2><div class="x"><p>a</p>'
            '</div>\n</div>\n</div>')
    out = clean(cell + cell.replace("<h2>H</h2>", ""))
    assert out.count('<div class="dlbook-flow">') == 2
    assert out.count("<h2>H</h2>") == 1
    assert '<h2>H</h2><div class="dlbook-flow"><div class="x"><p>a</p></div>\n</div></div>\n</div>' in out
    assert out.count("<div") == out.count("</div>")


def test_every_code_block_and_table_is_focusable() -> None:
    from dlbook_build.notebook_html import focusable_scrollers

    html = ('<pre><span></span><code>a</code></pre><pre id="p"><code class="x">b</code></pre>'
            '<pre><code tabindex="-1">c</code></pre><p><code>inline</code></p>')
    assert focusable_scrollers(html) == (
        '<pre><span></span><code tabindex="0">a</code></pre>'
        '<pre id="p"><code tabindex="0" class="x">b</code></pre>'
        '<pre><code tabindex="-1">c</code></pre><p><code>inline</code></p>')
    tables = '<table>\n<thead></thead></table><table class="dataframe"><table tabindex="-1"><tablex>'
    assert focusable_scrollers(tables) == (
        '<table tabindex="0">\n<thead></thead></table><table tabindex="0" class="dataframe">'
        '<table tabindex="-1"><tablex>')


def test_code_keeps_only_the_spans_that_colour_something() -> None:
    from dlbook_build.notebook_html import plain_names

    code = ('<pre><code tabindex="0"><span></span><span class="n">t</span><span class="w"> </span>'
            '<span class="o">=</span> <span class="n">torch</span><span class="p">.</span>'
            '<span class="nb">print</span><span class="n">a&lt;b</span></code></pre>')
    assert plain_names(code) == (
        '<pre><code tabindex="0"><span></span>t <span class="o">=</span> torch'
        '<span class="p">.</span><span class="nb">print</span>a&lt;b</code></pre>')
    fenced = '<div class="highlight"><pre><span></span><span class="n">x</span></pre></div>'
    assert plain_names(fenced) == '<div class="highlight"><pre><span></span>x</pre></div>'
    outside = ('<p><span class="n">x</span> <code><span class="n">y</span></code></p>'
               '<span class="katex"><span class="w">y</span></span>')
    assert plain_names(outside) == outside  # only inside code blocks

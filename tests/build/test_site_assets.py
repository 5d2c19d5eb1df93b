"""The site's own stylesheets and scripts served as one file each (dlbook_build.site_assets)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from dlbook_build.site_assets import (
    combine,
    drop_unused_mkdocstrings_css,
    in_docs,
    scripts_after_first_frame,
    theme_stylesheets,
)


def _docs(tmp_path: Path) -> Path:
    (tmp_path / "assets/css").mkdir(parents=True)
    (tmp_path / "assets/js").mkdir(parents=True)
    (tmp_path / "assets/css/a.css").write_text(".a { color: red }\n")
    (tmp_path / "assets/css/b.css").write_text(".b { color: blue }")
    (tmp_path / "assets/js/a.js").write_text("var a = 1")  # no semicolon at the end
    (tmp_path / "assets/js/b.js").write_text("(function () { window.b = a + 1; })();")
    return tmp_path


def test_combine_keeps_order_names_each_member_and_hashes_the_content(tmp_path: Path) -> None:
    docs = _docs(tmp_path)
    css = combine(in_docs(docs, ["assets/css/b.css", "assets/css/a.css", "https://cdn.example.org/x.css",
                                 "assets/_mkdocstrings.css", "assets/js/a.js"], ".css"), ".css")
    assert css is not None and css.members == ("assets/css/b.css", "assets/css/a.css")  # only docs/ files
    assert css.text.index("/* assets/css/b.css */") < css.text.index(".a { color: red }")
    assert css.path.startswith("assets/dlbook.") and css.path.endswith(".css")
    (docs / "assets/css/a.css").write_text(".a { color: green }\n")
    changed = combine(in_docs(docs, ["assets/css/b.css", "assets/css/a.css"], ".css"), ".css")
    assert changed is not None and changed.path != css.path  # a new name for new content
    assert combine(in_docs(docs, ["assets/css/a.css"], ".css"), ".css") is None  # nothing to gain


def test_combined_scripts_run_as_the_separate_ones_did(tmp_path: Path) -> None:
    js = combine(in_docs(_docs(tmp_path), ["assets/js/a.js", "assets/js/b.js"], ".js"), ".js")
    assert js is not None
    # "var a = 1" followed by "(function ..." would call 1 as a function without the separator
    assert "var a = 1\n;\n" in js.text


def test_a_page_links_the_combined_file_where_it_linked_the_first_member(tmp_path: Path) -> None:
    css = combine(in_docs(_docs(tmp_path), ["assets/css/a.css", "assets/css/b.css"], ".css"), ".css")
    js = combine(in_docs(tmp_path, ["assets/js/a.js", "assets/js/b.js"], ".js"), ".js")
    assert css is not None and js is not None
    html = ('<head><link rel="stylesheet" href="../assets/main.css">\n'
            '<link rel="stylesheet" href="../assets/css/a.css">\n'
            '<link rel="stylesheet" href="../assets/css/b.css">\n</head><body>'
            '<script src="../assets/bundle.js"></script>\n<script src="../assets/js/a.js"></script>\n'
            '<script src="../assets/js/b.js"></script>\n</body>')
    out = js.page(css.page(html))
    assert out == ('<head><link rel="stylesheet" href="../assets/main.css">\n'
                   f'<link rel="stylesheet" href="../{css.path}">\n</head><body>'
                   f'<script src="../assets/bundle.js"></script>\n<script src="../{js.path}"></script>\n'
                   '</body>')
    assert css.page("<p>no links</p>") == "<p>no links</p>"
    css.write(tmp_path / "site")
    assert (tmp_path / "site" / css.path).read_text() == css.text


def test_the_theme_stylesheets_come_first_and_urls_still_point_at_their_files(tmp_path: Path) -> None:
    theme, overrides = tmp_path / "material", tmp_path / "overrides"
    (theme / "assets/stylesheets").mkdir(parents=True)
    (overrides / "assets").mkdir(parents=True)
    (theme / "assets/stylesheets/main.1a2b3c4d.min.css").write_text(
        '.md-icon{mask-image:url("data:image/svg+xml;charset=utf-8,<svg/>")}'
        ".md-logo{background:url(../images/logo.png)}.a{b:url(https://x.org/f.woff2)}")
    (theme / "assets/stylesheets/palette.5e6f7a8b.min.css").write_text(".p{color:red}")
    styles = theme_stylesheets([str(overrides), str(theme)])
    assert styles == [("assets/stylesheets/main.1a2b3c4d.min.css",
                       theme / "assets/stylesheets/main.1a2b3c4d.min.css"),
                      ("assets/stylesheets/palette.5e6f7a8b.min.css",
                       theme / "assets/stylesheets/palette.5e6f7a8b.min.css")]
    assert theme_stylesheets([str(overrides)]) == []  # another theme: nothing of its own combined
    docs = tmp_path / "docs"
    (docs / "assets/vendor/katex").mkdir(parents=True)
    (docs / "assets/vendor/katex/katex.min.css").write_text(
        '@font-face{src:url(fonts/KaTeX_Main-Regular.woff2) format("woff2")}')
    css = combine([*styles, *in_docs(docs, ["assets/vendor/katex/katex.min.css"], ".css")], ".css")
    assert css is not None and css.path.startswith("assets/dlbook.")
    text = css.text
    assert text.index("main.1a2b3c4d") < text.index(".p{color:red}") < text.index("KaTeX_Main")
    # each url() is now relative to assets/, where the combined file is; others are untouched
    assert "url(vendor/katex/fonts/KaTeX_Main-Regular.woff2)" in text
    assert "url(images/logo.png)" in text
    assert 'url("data:image/svg+xml;charset=utf-8,<svg/>")' in text and "url(https://x.org/f.woff2)" in text
    page = ('<link rel="stylesheet" href="../assets/stylesheets/main.1a2b3c4d.min.css">\n'
            '<link rel="stylesheet" href="../assets/stylesheets/palette.5e6f7a8b.min.css">\n')
    assert css.page(page) == f'<link rel="stylesheet" href="../{css.path}">\n'


def test_mkdocstrings_css_only_where_the_api_reference_is() -> None:
    link = '<link rel="stylesheet" href="../assets/_mkdocstrings.css">\n'
    assert drop_unused_mkdocstrings_css(f"<head>{link}</head><p>chapter</p>") == "<head></head><p>chapter</p>"
    api = f'<head>{link}</head><div class="doc doc-object">'
    assert drop_unused_mkdocstrings_css(api) == api


def test_the_scripts_after_the_config_load_from_one_loader_in_their_order() -> None:
    head = '<head><script src="../head.js"></script></head><body><p>text</p>'
    config = '<script id="__config" type="application/json">{"base": ".."}</script>\n'
    scripts = ('<script>var early = 1;</script>\n'
               '<script src="../assets/javascripts/bundle.1a2b.min.js"></script>\n'
               '<script src="../assets/dlbook.3c4d.js"></script>\n'
               '<script src="../assets/other.js"></script>\n'
               '<script>var late = 2;</script>\n')
    out = scripts_after_first_frame(head + config + scripts + "</body>")
    start = out.index(config) + len(config)
    assert out[:start] == head + config  # a script in <head> is not the theme's: it stays
    body = out[start:]
    assert "<script src=" not in body
    assert body.index("var early = 1;") < body.index("requestAnimationFrame") < body.index("var late = 2;")
    listed = re.search(r"\}\)\((\[.*?\]), (\[.*?\])\);", body)
    assert listed is not None
    # the site's scripts, in order, after the first frame; the theme's bundle on interaction
    assert json.loads(listed.group(1)) == ["../assets/dlbook.3c4d.js", "../assets/other.js"]
    assert json.loads(listed.group(2)) == ["../assets/javascripts/bundle.1a2b.min.js"]
    assert "script.async = false" in body  # run in the page's order
    assert 'dispatchEvent(new Event("DOMContentLoaded"))' in body  # the theme starts on it


def test_a_page_without_the_theme_config_or_its_scripts_is_unchanged() -> None:
    plain = '<body><script src="x.js"></script></body>'
    assert scripts_after_first_frame(plain) == plain
    config_only = '<body><script id="__config" type="application/json">{}</script></body>'
    assert scripts_after_first_frame(config_only) == config_only

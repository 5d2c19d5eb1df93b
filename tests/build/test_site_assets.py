"""The site's own stylesheets and scripts served as one file each (dlbook_build.site_assets)."""

from __future__ import annotations

from pathlib import Path

from dlbook_build.site_assets import combine, drop_unused_mkdocstrings_css


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
    css = combine(docs, ["assets/css/b.css", "assets/css/a.css", "https://cdn.example.org/x.css",
                         "assets/_mkdocstrings.css"], ".css")
    assert css is not None and css.members == ("assets/css/b.css", "assets/css/a.css")  # only docs/ files
    assert css.text.index("/* assets/css/b.css */") < css.text.index(".a { color: red }")
    assert css.path.startswith("assets/dlbook.") and css.path.endswith(".css")
    (docs / "assets/css/a.css").write_text(".a { color: green }\n")
    changed = combine(docs, ["assets/css/b.css", "assets/css/a.css"], ".css")
    assert changed is not None and changed.path != css.path  # a new name for new content
    assert combine(docs, ["assets/css/a.css"], ".css") is None  # nothing to gain from one file


def test_combined_scripts_run_as_the_separate_ones_did(tmp_path: Path) -> None:
    js = combine(_docs(tmp_path), ["assets/js/a.js", "assets/js/b.js"], ".js")
    assert js is not None
    # "var a = 1" followed by "(function ..." would call 1 as a function without the separator
    assert "var a = 1\n;\n" in js.text


def test_a_page_links_the_combined_file_where_it_linked_the_first_member(tmp_path: Path) -> None:
    css = combine(_docs(tmp_path), ["assets/css/a.css", "assets/css/b.css"], ".css")
    js = combine(tmp_path, ["assets/js/a.js", "assets/js/b.js"], ".js")
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


def test_mkdocstrings_css_only_where_the_api_reference_is() -> None:
    link = '<link rel="stylesheet" href="../assets/_mkdocstrings.css">\n'
    assert drop_unused_mkdocstrings_css(f"<head>{link}</head><p>chapter</p>") == "<head></head><p>chapter</p>"
    api = f'<head>{link}</head><div class="doc doc-object">'
    assert drop_unused_mkdocstrings_css(api) == api

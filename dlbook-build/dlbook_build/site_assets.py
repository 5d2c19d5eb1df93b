"""The site's stylesheets and scripts, each kind served as one file.

mkdocs.yml lists the book's stylesheets (``extra_css``) and scripts (``extra_javascript``) one
concept per file, and the theme links each of them from every page, after its own two
stylesheets. On a phone on a slow connection each render-blocking stylesheet is one more
request before the first paint: in Lighthouse's simulation (slow 4G), each opened a connection
of its own and the theme's 23 KB stylesheet ended 0.6 s after the page, against 0.3 s for a
small one. So the build serves each kind as one file, each member under a comment naming it:

- ``assets/dlbook.<hash>.css``: the theme's stylesheets (``theme_stylesheets``), then the listed
  files of ``docs/`` in mkdocs.yml's order, then KaTeX's stylesheet (a browser fetches a KaTeX
  font only for a page whose formulas use it, so pages without math load no more than its
  rules, 3 KB gzipped). Relative ``url()``s are rewritten for the file's folder.
- ``assets/dlbook.<hash>.js``: the listed scripts.

The hash is of the content, so a browser's cached copy is never a stale one. Each page links
the combined file where it linked the first of its members; the members stay in the site.

The site's script loads after the page's first frame, and the theme's bundle at the reader's
first interaction (``scripts_after_first_frame``): the text a reader came for is painted before
any script is fetched, parsed or run.

mkdocstrings' stylesheet (``assets/_mkdocstrings.css``, written by its own plugin) styles only
the API reference (``class="doc ..."``): pages without it no longer link it.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MKDOCSTRINGS_CSS = "assets/_mkdocstrings.css"


@dataclass(frozen=True)
class Combined:
    """One file that replaces ``members`` (site-relative paths, in order) on every page."""

    path: str  # site-relative, e.g. assets/dlbook.3f2a9c1e0b.css
    members: tuple[str, ...]
    text: str

    def tag(self, prefix: str) -> str:
        if self.path.endswith(".css"):
            return f'<link rel="stylesheet" href="{prefix}{self.path}">'
        return f'<script src="{prefix}{self.path}"></script>'

    def member_tag(self, member: str) -> re.Pattern[str]:
        """A member's tag as the theme writes it; group 1 is the prefix up to the site's root."""
        path = re.escape(member)
        if member.endswith(".css"):
            return re.compile(rf'<link rel="stylesheet" href="([^"]*?){path}">\s*')
        return re.compile(rf'<script src="([^"]*?){path}"></script>\s*')

    def page(self, html: str) -> str:
        """``html`` linking this file in place of its members (unchanged if it links none)."""
        first = self.member_tag(self.members[0]).search(html)
        if first is None:
            return html
        html = html[:first.start()] + self.tag(first.group(1)) + "\n" + html[first.end():]
        for member in self.members[1:]:
            html = self.member_tag(member).sub("", html, count=1)
        return html

    def write(self, site: Path) -> None:
        out = site / self.path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(self.text, encoding="utf-8")


def in_docs(docs_dir: Path, entries: list[str], suffix: str) -> list[tuple[str, Path]]:
    """The files of ``entries`` that are in ``docs_dir`` and end with ``suffix``, as (site path,
    file) pairs, in order."""
    return [(e, docs_dir / e) for e in entries if e.endswith(suffix) and (docs_dir / e).is_file()]


def theme_stylesheets(theme_dirs: list[str]) -> list[tuple[str, Path]]:
    """The theme's own stylesheets as its pages link them (mkdocs-material: ``main`` then
    ``palette``, each ``assets/stylesheets/<name>.<hash>.min.css``), from the first of the
    theme's folders that has each; none for a theme without them."""
    found = []
    for name in ("main", "palette"):
        for folder in map(Path, theme_dirs):
            files = sorted((folder / "assets/stylesheets").glob(f"{name}.*.min.css"))
            if files:
                found.append((files[0].relative_to(folder).as_posix(), files[0]))
                break
    return found


URL = re.compile(r"""url\((['"]?)([^)'"]+)\1\)""")


def _rebase(css: str, member: str, combined: str) -> str:
    """``css`` of the site file ``member`` with each relative ``url()`` made relative to the
    folder of ``combined`` (both site-relative paths)."""
    here, there = PurePosixPath(member).parent, PurePosixPath(combined).parent

    def rebase(m: re.Match[str]) -> str:
        quote, url = m.group(1), m.group(2)
        if re.match(r"^(?:[a-z][a-z0-9+.-]*:|/|#)", url, re.I):  # data:, https:, /x, #x
            return m.group(0)
        target = posixpath.normpath((here / url).as_posix())
        return f"url({quote}{posixpath.relpath(target, there.as_posix())}{quote})"

    return URL.sub(rebase, css)


def combine(members: list[tuple[str, Path]], suffix: str) -> Combined | None:
    """``members`` ((site path, file) pairs) as one ``suffix`` (".css" or ".js") file; None
    when fewer than two would be combined."""
    if len(members) < 2:
        return None
    path_of = lambda digest: f"assets/dlbook.{digest}{suffix}"  # noqa: E731
    parts = []
    for member, file in members:
        text = file.read_text(encoding="utf-8").rstrip()
        if suffix == ".css":
            text = _rebase(text, member, path_of("x"))
        # a script may end without a semicolon: the next one must not continue its statement
        parts.append(f"/* {member} */\n{text}\n" + (";\n" if suffix == ".js" else ""))
    text = "\n".join(parts)
    digest = hashlib.sha256(text.encode()).hexdigest()[:10]
    return Combined(path_of(digest), tuple(m for m, _ in members), text)


def drop_unused_mkdocstrings_css(html: str) -> str:
    """``html`` without mkdocstrings' stylesheet when the page shows no API documentation."""
    if 'class="doc ' in html or 'class="doc"' in html:
        return html
    link = rf'<link rel="stylesheet" href="[^"]*?{re.escape(MKDOCSTRINGS_CSS)}">\s*'
    return re.sub(link, "", html, count=1)


# The theme's scripts start after this tag (mkdocs-material's base.html, block "config").
CONFIG_TAG = '<script id="__config" type="application/json">'
SCRIPT_TAG = re.compile(r'<script src="([^"]+)"></script>\s*')

THEME_BUNDLE = re.compile(r"(?:^|/)assets/javascripts/bundle\.[0-9a-f]+\.min\.js$")

# Runs at the end of <body>. requestAnimationFrame runs just before the next frame, and the
# timeout just after it, so the site's scripts are requested once the page has been painted.
# The theme's bundle waits for the reader: it is requested on the first pointer, touch, key,
# focus, wheel or scroll event, or at once when the address names an anchor (the theme opens
# the <details> around it). Scripts are inserted with async = false: fetched in parallel, run
# in the order of the page. The theme starts its components on DOMContentLoaded, which has
# fired by then, so the loader fires it again once the bundle has run. No other listener
# waits for that event by then: the site's scripts start at once when the page is parsed, and
# the palette and search scripts in the page use other events.
LOADER = """<script>
  (function (site, theme) {
    function add(src, then) {
      var script = document.createElement("script");
      script.src = src;
      script.async = false;
      if (then) script.onload = then;
      document.body.appendChild(script);
    }
    var events = ["pointerdown", "touchstart", "keydown", "focusin", "wheel", "scroll"];
    var started = false;
    function start() {
      if (started) return;
      started = true;
      events.forEach(function (type) { removeEventListener(type, start, true); });
      theme.forEach(function (src, i) {
        add(src, i < theme.length - 1 ? null : function () {  // a task of its own: input between
          setTimeout(function () { document.dispatchEvent(new Event("DOMContentLoaded")); }, 0);
        });
      });
    }
    events.forEach(function (type) { addEventListener(type, start, { capture: true, passive: true }); });
    requestAnimationFrame(function () {
      setTimeout(function () {
        site.forEach(function (src) { add(src); });
        if (location.hash) start();
      }, 0);
    });
  })(%s, %s);
</script>
"""


def scripts_after_first_frame(html: str) -> str:
    """``html`` whose scripts (``<script src>`` after the theme's config) are loaded by one
    inline loader in their place: the site's after the first frame, the theme's bundle at the
    reader's first interaction; unchanged if it has none.

    Why: a chapter is long, and the theme's bundle (35 KB gzipped) was fetched, parsed and run
    while the text above the fold was still waiting to be painted. In Lighthouse's simulation
    of a phone on slow 4G, whatever had loaded before the first paint was counted in its time:
    the bundle and its start-up were the last 0.5 s of loss-functions' largest paint (2.8 s).
    Run after the paint, its start-up was still the longest work on the main thread (0.3 to
    0.5 s at 4x CPU on mathematical-foundations), in the seconds when a reader starts to
    scroll. What it adds (search, the table of contents following the text, copy buttons, the
    back-to-top button) is for a reader who interacts, so it starts then.
    """
    start = html.find(CONFIG_TAG)
    if start < 0:
        return html
    sources = SCRIPT_TAG.findall(html, start)
    if not sources:
        return html
    first = SCRIPT_TAG.search(html, start)
    assert first is not None
    rest = SCRIPT_TAG.sub("", html[first.start():])
    theme = [s for s in sources if THEME_BUNDLE.search(s)]
    site = [s for s in sources if s not in theme]
    loader = LOADER % (json.dumps(site), json.dumps(theme))
    return html[:first.start()] + loader + rest

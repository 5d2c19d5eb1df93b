"""The real book, built from a cold cache with `mkdocs build --strict`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, BuiltSite
from htmlscan import is_remote, scan

pytestmark = pytest.mark.slow

# every chapter notebook under docs/ (the plugin's default glob: */[!_]*.py), as page paths
CHAPTERS = sorted(
    str(path.relative_to(ROOT / "docs").with_suffix("")) for path in (ROOT / "docs").glob("*/[!_]*.py")
)
# chapters that show figures from the figure pipeline
TRAINED = [c for c in CHAPTERS if re.search(r"""\bshow\(\s*["']""", (ROOT / "docs" / f"{c}.py").read_text())]


def test_the_chapter_list_is_not_empty() -> None:
    assert "neurons/perceptron" in CHAPTERS and "neurons/perceptron" in TRAINED


def outputs(html: str) -> str:
    """The text of every executed output area of a notebook page."""
    areas = re.findall(r'class="[^"]*jp-OutputArea-output[^"]*"[^>]*>(.*?)</div>', html, re.S)
    return "\n".join(re.sub(r"<[^>]+>", "", a) for a in areas)


def test_cold_build_executed_every_chapter(built_site: BuiltSite) -> None:
    match = re.search(r"chapters executed: (\d+), cells executed: (\d+)", built_site.output)
    assert match, built_site.output
    assert int(match[1]) == len(CHAPTERS)
    assert int(match[2]) > 10


def test_a_rebuild_without_change_executes_nothing_and_renders_nothing(
    built_site: BuiltSite, tmp_path: Path
) -> None:
    """The real book built again on the same cache: 0 cells run, 0 scenes rendered, same pages."""
    env = {**os.environ, "DLBOOK_CACHE_DIR": str(built_site.cache), "NO_MKDOCS_2_WARNING": "1",
           "DLBOOK_ANIMATION_QUALITY": "low", "DLBOOK_SITE_URL": built_site.url}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert f"chapters executed: 0, cells executed: 0, chapters from cache: {len(CHAPTERS)}" in output, output
    assert re.search(r"animations rendered: 0, from cache: [1-9]", output), output
    assert "figures: " not in output or "0 made" in output, output
    page = "training/backpropagation/index.html"
    assert (tmp_path / "site" / page).read_text() == (built_site.site / page).read_text()


def test_matrix_product_is_in_the_executed_output(built_site: BuiltSite) -> None:
    html = (built_site.site / "foundations/mathematical-foundations/index.html").read_text()
    text = outputs(html)
    assert re.search(r"140,\s*146\],?\s*\[\s*320,\s*335", text), text[:2000]


def test_timeline_figure_is_rendered(built_site: BuiltSite) -> None:
    html = (built_site.site / "foundations/what-is-deep-learning/index.html").read_text()
    images = re.findall(r'<img[^>]+src="([^"]*assets/images/[0-9a-f]+\.(?:webp|png))"', html)
    assert images, "no figure in the page"
    for src in images:  # a file of its own, not a data: URI inside the HTML
        assert (built_site.site / "foundations/what-is-deep-learning" / src).resolve().stat().st_size > 1000


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_notebook_pages_carry_only_the_small_notebook_css(built_site: BuiltSite, chapter: str) -> None:
    html = (built_site.site / chapter / "index.html").read_text()
    inline = sum(len(s) for s in re.findall(r"<style[^>]*>.*?</style>", html, re.S))
    assert inline < 5_000, f"{inline} bytes of inline CSS left in {chapter}"
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert not [h for h in sheets if "jupyter" in h], sheets  # no JupyterLab stylesheet
    # the site's own stylesheets come as one file (dlbook_build.site_assets), notebook.css in it
    own = [h for h in sheets if re.search(r"assets/dlbook\.[0-9a-f]{10}\.css$", h)]
    assert len(own) == 1, sheets
    combined = (built_site.site / chapter / own[0]).resolve().read_text()
    # notebook.css is one member of it (the theme's and KaTeX's stylesheets are others), and small
    members = dict(re.findall(r"/\* (assets/\S+\.css) \*/\n(.*?)(?=\n/\* assets/|\Z)", combined, re.S))
    assert "assets/stylesheets/notebook.css" in members, list(members)
    assert len(members["assets/stylesheets/notebook.css"]) < 30_000
    assert not [h for h in sheets if h.endswith(("notebook.css", "_mkdocstrings.css"))], sheets
    # code cells are the theme's code blocks (its colours and copy button), not JupyterLab's
    assert 'class="language-python highlight"><pre><code tabindex="0">' in html
    assert "highlight-ipynb" not in html and "clipboard-copy" not in html


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_download_notebook_has_outputs_and_colab_link(built_site: BuiltSite, chapter: str) -> None:
    html = (built_site.site / chapter / "index.html").read_text()
    download = re.search(r'href="([^"]+\.ipynb)"[^>]*download', html)
    assert download, "no Download notebook link"
    nb = json.loads((built_site.site / chapter / download[1]).resolve().read_text())
    assert any(cell.get("outputs") for cell in nb["cells"] if cell["cell_type"] == "code")
    if "jp-RenderedImage" in html:  # the page's plots are files; the notebook keeps them embedded
        outputs = [out for cell in nb["cells"] for out in cell.get("outputs", [])]
        assert any("image/png" in out.get("data", {}) for out in outputs)
    repo = re.search(r"repo_url: https://github.com/(\S+)", (ROOT / "mkdocs.yml").read_text())
    assert repo
    assert f"colab.research.google.com/github/{repo[1]}/blob/notebooks/{chapter}.ipynb" in html


def test_no_page_loads_anything_from_another_host(built_site: BuiltSite) -> None:
    for page in built_site.site.rglob("*.html"):
        remote = [url for url in scan(page).loads if is_remote(url)]
        assert not remote, f"{page.relative_to(built_site.site)} loads {remote[:3]}"


@pytest.mark.parametrize("chapter", TRAINED)
def test_trained_figures_carry_their_provenance(built_site: BuiltSite, chapter: str) -> None:
    html = (built_site.site / chapter / "index.html").read_text()
    figures = re.findall(r'<figure class="dlbook-figure" id="figure-([a-z0-9-]+)"', html)
    assert figures, f"{chapter} shows no trained figure"
    assert html.count("How this figure was made") >= len(figures)
    for name in figures:
        manifest = json.loads((ROOT / "figures" / name / "manifest.json").read_text())
        assert manifest["command"] in html  # the remake command from its own manifest


def test_links_between_chapters_point_at_pages(built_site: BuiltSite) -> None:
    html = (built_site.site / "neurons/neural-networks/index.html").read_text()
    assert 'href="../perceptron/' in html
    assert not re.search(r'href="[^"]*\.py["#]', html)

"""Lighthouse on the built book, next to a plain mkdocs-material site with MathJax, in one run.

    python benchmarks/site.py                 # or: make bench; writes benchmarks/results/site.txt
    python benchmarks/site.py --site DIR      # an already built site instead of building one
    python benchmarks/site.py --pages home perceptron --runs 3

Builds the book (`mkdocs build` with the normal cache) into a temporary folder, or takes
``--site``, and serves it on loopback with a small threaded server that gzips text responses
(HTML, CSS, JavaScript, JSON, SVG) and sends ``Cache-Control: max-age=600``, as GitHub Pages
does. Lighthouse (benchmarks/node_modules, pinned in benchmarks/package.json) loads the home
page and every chapter page (the notebook pages of mkdocs.yml's nav) in Debian's Chromium
with its mobile defaults: a phone-sized screen, simulated slow 4G and a 4x slower CPU. It
prints one row per page: the performance and accessibility scores, Largest Contentful
Paint, Total Blocking Time, Cumulative Layout Shift and the bytes transferred
(total-byte-weight), each the median of ``--runs`` runs.

Lighthouse's 4x CPU slowdown assumes a fast desktop host (benchmarkIndex about 1,533); on a
slower or busy host it emulates a slower phone than intended, and its documentation asks for a
calibrated multiplier there. So a second table repeats every page with the slowdown that
Lighthouse's CPU-throttling calculator gives for this host's median benchmarkIndex (skip it
with ``--no-calibrated``). Both tables are written; the first is the mobile default.

The last row, the anchor, is what a default mkdocs-material site with math costs: one
Markdown page of a dozen formulas, ``pymdownx.arithmatex`` (generic) and MathJax 3 typesetting
in the browser, as mkdocs-material's documentation sets it up, with MathJax copied from the
npm ``mathjax`` package into the site instead of loaded from a CDN (this machine has no
network), and system fonts (``font: false``, as the book has) for the same reason.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import mimetypes
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from dlbook_build.reference.pages import nav_order

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "site.txt"
NODE = ROOT / "benchmarks" / "node_modules"  # benchmarks/package.json, `scripts/setup.sh node benchmarks`
LIGHTHOUSE = NODE / ".bin" / "lighthouse"
MATHJAX = NODE / "mathjax" / "es5"
CHROMIUM = "/usr/bin/chromium"
# Chromium on a machine with no network: no background requests, no updater, no QUIC probes
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
                "--disable-background-networking --disable-component-update --disable-sync")
CATEGORIES = "performance,accessibility"


# --- Serving a site the way GitHub Pages does -------------------------------------------

COMPRESSED = {"text/html", "text/css", "text/javascript", "application/javascript",
              "application/json", "image/svg+xml", "text/plain", "application/xml", "text/xml"}
MAX_AGE = 600  # GitHub Pages' Cache-Control for every file


class PagesHandler(BaseHTTPRequestHandler):
    """Static files of ``directory``: index.html for folders, 404.html for what is missing,
    gzip for text when the client accepts it, ETag / Last-Modified and max-age=600."""

    directory: Path
    protocol_version = "HTTP/1.1"
    _gzipped: dict[tuple[Path, float], bytes] = {}
    _lock = threading.Lock()

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self.respond(body=False)

    def do_GET(self) -> None:
        self.respond(body=True)

    def resolve(self) -> tuple[int, Path | None, str | None]:
        """(status, file, redirect location)."""
        url = urlsplit(self.path)
        relative = unquote(url.path).lstrip("/")
        path = (self.directory / relative).resolve()
        if path != self.directory and self.directory not in path.parents:
            return 404, self.directory / "404.html", None
        if path.is_dir():
            if not url.path.endswith("/"):
                return 301, None, url.path + "/" + (f"?{url.query}" if url.query else "")
            path = path / "index.html"
        if path.is_file():
            return 200, path, None
        return 404, self.directory / "404.html", None

    def respond(self, body: bool) -> None:
        status, path, location = self.resolve()
        if location is not None:
            self.send_response(status)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path is None or not path.is_file():
            data, ctype, mtime = b"not found", "text/plain", time.time()
        else:
            data, mtime = path.read_bytes(), path.stat().st_mtime
            ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        etag = f'"{int(mtime):x}-{len(data):x}"'
        if status == 200 and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Cache-Control", f"max-age={MAX_AGE}")
            self.end_headers()
            return
        gzipped = ctype in COMPRESSED and "gzip" in self.headers.get("Accept-Encoding", "")
        if gzipped and path is not None:
            key = (path, mtime)
            with self._lock:
                if key not in self._gzipped:
                    self._gzipped[key] = gzip.compress(data, compresslevel=6, mtime=0)
                data = self._gzipped[key]
        self.send_response(status)
        charset = "; charset=utf-8" if ctype.startswith("text/") or ctype.endswith(("json", "xml")) else ""
        self.send_header("Content-Type", ctype + charset)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", f"max-age={MAX_AGE}")
        self.send_header("Last-Modified", formatdate(mtime, usegmt=True))
        self.send_header("ETag", etag)
        if ctype in COMPRESSED:
            self.send_header("Vary", "Accept-Encoding")
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        if body:
            self.wfile.write(data)


def serve(directory: Path) -> ThreadingHTTPServer:
    """``directory`` served on a free loopback port, in a daemon thread."""
    mimetypes.add_type("text/javascript", ".js")
    mimetypes.add_type("application/json", ".map")
    mimetypes.add_type("text/vtt", ".vtt")
    handler = type("Handler", (PagesHandler,), {"directory": directory.resolve()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- What to measure ----------------------------------------------------------------------

class _Loader(yaml.SafeLoader):
    """Reads mkdocs.yml, taking any ``!TAG value`` (``!ENV``, ``!!python/name``) as null."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def nav_pages(config: Path = ROOT / "mkdocs.yml") -> list[tuple[str, str]]:
    """(name, path below the site's root) of the home page and each chapter (a .py page) in the nav."""
    files = nav_order(yaml.load(config.read_text(), Loader=_Loader)["nav"])
    pages = [("home", "")] if "index.md" in files else []
    for file in files:
        if file.endswith(".py"):
            pages.append((file.removesuffix(".py"), file.removesuffix(".py") + "/"))
    return pages


def pick(pages: list[tuple[str, str]], wanted: list[str] | None) -> list[tuple[str, str]]:
    """The pages named in ``wanted``, by full name ("neurons/perceptron") or last part ("perceptron")."""
    if not wanted:
        return pages
    chosen = []
    for name in wanted:
        match = [p for p in pages if name.strip("/") in (p[0], p[0].rsplit("/", 1)[-1])]
        if not match:
            sys.exit(f"no page {name!r}; the pages are: {', '.join(p[0] for p in pages)}")
        chosen += [p for p in match if p not in chosen]
    return chosen


# --- The anchor: a default mkdocs-material site with MathJax ---------------------------

ANCHOR_CONFIG = """\
site_name: Anchor
theme:
  name: material
  font: false
markdown_extensions:
  - pymdownx.arithmatex:
      generic: true
extra_javascript:
  - javascripts/mathjax.js
  - javascripts/mathjax/tex-mml-chtml.js
"""

# mkdocs-material's documented MathJax set-up (its "Math" page), unchanged
ANCHOR_MATHJAX_JS = """\
window.MathJax = {
  tex: {
    inlineMath: [["\\\\(", "\\\\)"]],
    displayMath: [["\\\\[", "\\\\]"]],
    processEscapes: true,
    processEnvironments: true
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex"
  }
};

document$.subscribe(() => {
  MathJax.startup.output.clearCache()
  MathJax.typesetClear()
  MathJax.texReset()
  MathJax.typesetPromise()
})
"""

ANCHOR_PAGE = r"""# A page of formulas

A small network turns an input $x \in \mathbb{R}^d$ into scores, one per class, and learns
its weights by following the gradient of a loss. These are the formulas of one step.

A layer multiplies by a weight matrix, adds a bias and applies a nonlinearity $\sigma$:

$$
h = \sigma(W x + b), \qquad W \in \mathbb{R}^{m \times d},\ b \in \mathbb{R}^m.
$$

Two common choices of $\sigma$ are the rectifier and the logistic function:

$$
\operatorname{relu}(z) = \max(0, z), \qquad \sigma(z) = \frac{1}{1 + e^{-z}}.
$$

The scores $z \in \mathbb{R}^K$ become probabilities through the softmax,

$$
p_k = \frac{e^{z_k}}{\sum_{j=1}^{K} e^{z_j}}, \qquad k = 1, \dots, K,
$$

and the loss of one example with label $y$ is the cross-entropy $\ell = -\log p_y$. Its
gradient with respect to the scores is short:

$$
\frac{\partial \ell}{\partial z_k} = p_k - \mathbb{1}[k = y].
$$

Over a data set of $n$ examples the objective is the mean loss plus a penalty on the weights:

$$
L(\theta) = \frac{1}{n} \sum_{i=1}^{n} \ell\big(f_\theta(x_i), y_i\big)
  + \frac{\lambda}{2} \lVert \theta \rVert_2^2 .
$$

The chain rule carries the gradient back through the layer, with $\odot$ the elementwise product:

$$
\frac{\partial \ell}{\partial W} = \big(\delta \odot \sigma'(W x + b)\big)\, x^\top,
\qquad \delta = \frac{\partial \ell}{\partial h}.
$$

Gradient descent takes a step of size $\eta$ against it,
$\theta_{t+1} = \theta_t - \eta \nabla_\theta L(\theta_t)$, and momentum keeps a running
direction:

$$
v_{t+1} = \beta v_t + \nabla_\theta L(\theta_t), \qquad \theta_{t+1} = \theta_t - \eta v_{t+1}.
$$

Adam scales each coordinate by a running estimate of its second moment:

$$
m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t, \quad
s_t = \beta_2 s_{t-1} + (1 - \beta_2) g_t^2, \quad
\theta_t = \theta_{t-1} - \eta \frac{m_t / (1 - \beta_1^t)}{\sqrt{s_t / (1 - \beta_2^t)} + \epsilon}.
$$

A convolution slides a $k \times k$ kernel over the input:

$$
y_{i,j} = \sum_{u=0}^{k-1} \sum_{v=0}^{k-1} w_{u,v}\, x_{i+u,\, j+v} + b .
$$

A recurrent network carries a state from one step of a sequence to the next:

$$
h_t = \tanh\left(W_{hh} h_{t-1} + W_{xh} x_t + b_h\right).
$$

Batch normalisation rescales each feature with the mean $\mu_B$ and variance $\sigma_B^2$
of the batch:

$$
\hat{x} = \frac{x - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}, \qquad y = \gamma \hat{x} + \beta .
$$
"""


def build_anchor(folder: Path) -> Path:
    """The anchor site built into folder/site; returns that folder."""
    docs = folder / "docs"
    (docs / "javascripts").mkdir(parents=True)
    (folder / "mkdocs.yml").write_text(ANCHOR_CONFIG)
    (docs / "index.md").write_text(ANCHOR_PAGE)
    (docs / "javascripts" / "mathjax.js").write_text(ANCHOR_MATHJAX_JS)
    # the whole es5 tree: MathJax loads its fonts (and any component it needs) from beside it
    shutil.copytree(MATHJAX, docs / "javascripts" / "mathjax")
    site = folder / "site"
    mkdocs(["build", "-f", str(folder / "mkdocs.yml"), "-d", str(site)], cwd=folder)
    return site


def mkdocs(args: list[str], cwd: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", *args], cwd=cwd, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"mkdocs {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}")


# --- Lighthouse ---------------------------------------------------------------------------

@dataclass
class Row:
    name: str
    performance: float
    accessibility: float
    lcp_s: float
    tbt_ms: float
    cls: float
    kib: float


def lighthouse(url: str, out: Path, cpu: float | None = None) -> dict:
    """One Lighthouse run (mobile defaults, simulated throttling; ``cpu``: another CPU
    slowdown than the default 4x); its JSON report."""
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    command = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
               f"--only-categories={CATEGORIES}", f"--chrome-flags={CHROME_FLAGS}"]
    if cpu is not None:
        command.append(f"--throttling.cpuSlowdownMultiplier={cpu:.2f}")
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0 or not out.is_file():
        sys.exit(f"lighthouse failed on {url}:\n{proc.stdout}{proc.stderr}")
    report = json.loads(out.read_text())
    if report.get("runtimeError"):
        sys.exit(f"lighthouse could not measure {url}: {report['runtimeError']}")
    return report


BENCHMARK_INDEX: list[float] = []  # Lighthouse's measure of the host's CPU speed, one per run


def calibrated_multiplier(benchmark_index: float) -> float:
    """The CPU slowdown that makes this host a mid-tier phone, from its benchmarkIndex, by the
    formula of Lighthouse's CPU-throttling calculator (docs/throttling.md): the default 4x
    assumes a desktop of index about 1,533; a host of 1,300 needs 3x, of 800 2x, of 150 1x."""
    if benchmark_index >= 1300:
        return 3 + (benchmark_index - 1300) / 233
    if benchmark_index >= 800:
        return 2 + (benchmark_index - 800) / 500
    return max(1.0, 1 + (benchmark_index - 150) / 650)


def measure(name: str, url: str, runs: int, tmp: Path, cpu: float | None = None) -> tuple[Row, dict]:
    """The median of each number over ``runs`` Lighthouse runs; the row and the last report."""
    samples: list[Row] = []
    report: dict = {}
    for i in range(runs):
        stem = f"{name.replace('/', '-').replace(':', '')}-{i}{'' if cpu is None else '-calibrated'}"
        report = lighthouse(url, tmp / f"{stem}.json", cpu)
        BENCHMARK_INDEX.append(report.get("environment", {}).get("benchmarkIndex", float("nan")))
        audits, categories = report["audits"], report["categories"]

        def score(category: str, categories: dict = categories) -> float:
            value = categories[category]["score"]
            return float("nan") if value is None else 100 * value

        samples.append(Row(
            name, score("performance"), score("accessibility"),
            audits["largest-contentful-paint"]["numericValue"] / 1000,
            audits["total-blocking-time"]["numericValue"],
            audits["cumulative-layout-shift"]["numericValue"],
            audits["total-byte-weight"]["numericValue"] / 1024,
        ))
    median = lambda field: statistics.median(getattr(s, field) for s in samples)  # noqa: E731
    row = Row(name, *(median(f) for f in ("performance", "accessibility", "lcp_s", "tbt_ms", "cls", "kib")))
    return row, report


HEADER = f"  {'page':<42}{'perf':>6}{'a11y':>6}{'LCP (s)':>9}{'TBT (ms)':>10}{'CLS':>7}{'KiB':>9}"


def format_row(row: Row) -> str:
    return (f"  {row.name:<42}{row.performance:6.0f}{row.accessibility:6.0f}{row.lcp_s:9.1f}"
            f"{row.tbt_ms:10.0f}{row.cls:7.3f}{row.kib:9.0f}")


def failing_a11y(report: dict) -> list[str]:
    """The ids of the accessibility audits that failed in a report."""
    refs = report["categories"]["accessibility"]["auditRefs"]
    return [r["id"] for r in refs if r.get("weight") and report["audits"][r["id"]].get("score") == 0]


def versions() -> tuple[str, str]:
    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout
    lighthouse_version = json.loads((NODE / "lighthouse/package.json").read_text())["version"]
    return " ".join(chromium.split()[:2]) or "Chromium (unknown version)", f"Lighthouse {lighthouse_version}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="an already built site (default: build one)")
    parser.add_argument("--pages", nargs="+", metavar="NAME",
                        help="only these pages: home, or a chapter such as perceptron")
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page (the median)")
    parser.add_argument("--no-anchor", action="store_true", help="skip the mkdocs-material + MathJax anchor")
    parser.add_argument("--no-calibrated", action="store_true",
                        help="only the mobile defaults, not the second table whose CPU slowdown is "
                             "calibrated to this host's benchmarkIndex")
    args = parser.parse_args()
    for needed in (LIGHTHOUSE, MATHJAX):
        if not needed.exists():
            sys.exit(f"{needed.relative_to(ROOT)} is missing: `make bench` installs it "
                     "(or run `npm ci` in the checkout)")
    if not Path(CHROMIUM).is_file():
        sys.exit(f"{CHROMIUM} is missing: sudo apt-get install chromium")
    pages = pick(nav_pages(), args.pages)

    with tempfile.TemporaryDirectory(prefix="dlbook-site-bench-") as tmp_name:
        tmp = Path(tmp_name)
        site = args.site
        if site is None:
            site = tmp / "site"
            start = time.perf_counter()
            print("building the site (mkdocs build, normal cache) ...", flush=True)
            mkdocs(["build", "-d", str(site)], cwd=ROOT)
            print(f"  built in {time.perf_counter() - start:.0f} s", flush=True)
        elif not (site / "index.html").is_file():
            sys.exit(f"{site} holds no built site (no index.html)")
        targets = []
        server = serve(site)
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        targets += [(name, base + path) for name, path in pages]
        servers = [server]
        if not args.no_anchor:
            anchor = serve(build_anchor(tmp / "anchor"))
            servers.append(anchor)
            targets.append(("anchor: mkdocs-material + MathJax 3", f"http://127.0.0.1:{anchor.server_address[1]}/"))

        chromium, lighthouse_version = versions()
        load = os.getloadavg()[0]
        rows, notes = [], []
        print(HEADER, flush=True)
        for name, url in targets:
            start = time.perf_counter()
            row, report = measure(name, url, args.runs, tmp)
            rows.append(row)
            print(f"{format_row(row)}   ({time.perf_counter() - start:.0f} s)", flush=True)
            failed = failing_a11y(report)
            if failed:
                notes.append(f"  {name}: {', '.join(failed)}")
        calibrated: list[Row] = []
        if not args.no_calibrated:
            cpu = calibrated_multiplier(statistics.median(BENCHMARK_INDEX))
            print(f"\nCPU slowdown calibrated to this host: {cpu:.2f}x", flush=True)
            print(HEADER, flush=True)
            for name, url in targets:
                row, _ = measure(name, url, args.runs, tmp, cpu)
                calibrated.append(row)
                print(format_row(row), flush=True)
        for s in servers:
            s.shutdown()

    lines = [
        f"Lighthouse on the built book{'' if args.no_anchor else ' and on the anchor'}, "
        f"{datetime.date.today().isoformat()}, "
        f"{lighthouse_version}, {chromium} (headless)",
        f"mobile defaults (emulated phone, simulated slow 4G and 4x CPU slowdown), performance and "
        f"accessibility only, median of {args.runs} run(s) per page; the site served on loopback by "
        f"benchmarks/site.py's server, gzip and Cache-Control: max-age={MAX_AGE} as on GitHub Pages",
        f"host: {os.cpu_count()} CPUs, load average {load:.1f} at the start, Lighthouse benchmarkIndex "
        f"{min(BENCHMARK_INDEX):.0f}-{max(BENCHMARK_INDEX):.0f} (TBT and the performance score scale "
        "with the host's speed and how busy it is)",
        "perf, a11y: Lighthouse scores (0-100); LCP: Largest Contentful Paint; TBT: Total Blocking "
        "Time; CLS: Cumulative Layout Shift; KiB: bytes transferred (total-byte-weight)",
        HEADER,
        *(format_row(row) for row in rows),
    ]
    if not args.no_anchor:
        lines[3:3] = ["anchor: a default mkdocs-material site, one page of 12 formulas, pymdownx.arithmatex "
                      "+ MathJax 3 (tex-mml-chtml from npm, copied into the site), font: false"]
    if calibrated:
        lines += ["",
                  f"the same pages with the CPU slowdown calibrated to this host: {cpu:.2f}x instead of "
                  f"4x, from the median benchmarkIndex {statistics.median(BENCHMARK_INDEX):.0f} by "
                  "Lighthouse's CPU-throttling calculator (the 4x default assumes a desktop of "
                  "index about 1,533: on a slower host it emulates a phone slower than Lighthouse's)",
                  HEADER, *(format_row(row) for row in calibrated)]
    if notes:
        lines += ["failed accessibility audits (last run):", *notes]
    text = "\n".join(lines)
    print()
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text + "\n")


if __name__ == "__main__":
    main()

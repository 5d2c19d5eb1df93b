/* Explorable figures (dlbook.figures.explore): controls over data already on the page.
 *
 * A <figure class="dlbook-explorable"> holds a static image (what readers without scripts
 * see) and its figure's data.json in a <script type="application/json">. Its "kind" picks
 * the drawing (dlbook/figures/kinds.py describes each layout): this file draws the default,
 * "curves": "params" (each with a label and a list of values), "series" (each with a key
 * and a label) and "runs", one per combination of parameter values, the last parameter
 * varying fastest; it adds one range slider per parameter and an SVG chart of the chosen
 * run, then hides the image. explorable-kinds.js registers the other kinds through
 * window.dlbookExplorable.register. No libraries. On the site the build moves large data to
 * a file (data-src, dlbook_build/page_data.py), fetched from the site when the figure nears
 * the screen; nothing is fetched from elsewhere.
 */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var W = 640, H = 320, M = { left: 60, right: 16, top: 12, bottom: 42 };
  var kinds = {};  // kind -> function (data, panel, figure) that fills the panel

  function node(tag, attrs, parent, ns) {
    var e = ns ? document.createElementNS(SVG, tag) : document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(e);
    return e;
  }
  function svg(tag, attrs, parent) { return node(tag, attrs, parent, true); }
  function text(tag, attrs, parent, content) { var e = svg(tag, attrs, parent); e.textContent = content; return e; }
  function fmt(v) { return Number(v.toPrecision(3)).toString(); }

  // On the site a figure's data may be a file of its own (data-src, written by the build):
  // it is fetched when the figure comes within two screens of the reader, and kept here.
  var fetched = new WeakMap();  // figure -> its data
  var near = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) return;
      var figure = entry.target;
      near.unobserve(figure);
      fetch(figure.querySelector("script.dlbook-explorable-data").dataset.src)
        .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
        .then(function (data) { fetched.set(figure, data); setup(figure); })
        .catch(function (err) { figure.dataset.explorable = "failed"; console.warn("explorable figure", figure.id, err); });
    });
  }, { rootMargin: "200% 0px" }) : null;

  function setup(figure) {
    if (figure.dataset.explorable === "ready") return;
    var source = figure.querySelector("script.dlbook-explorable-data");
    var data = fetched.get(figure);
    if (!data && source && source.dataset.src) {  // not here yet: fetched when the figure is near
      if (near && !figure.dataset.explorable) { figure.dataset.explorable = "waiting"; near.observe(figure); }
      return;  // without IntersectionObserver, the image stays
    }
    try { data = data || JSON.parse(source.textContent); } catch (err) { return; }  // keep the image
    var draw = kinds[data.kind || "curves"];
    if (!draw) return;  // a kind whose script has not registered yet: keep the image for now
    var panel = node("div", { class: "dlbook-explorable-panel" });
    try { draw(data, panel, figure); } catch (err) { console.error("explorable figure", figure.id, err); return; }
    figure.insertBefore(panel, figure.querySelector("figcaption"));
    figure.querySelector("img.dlbook-explorable-fallback").hidden = true;
    figure.dataset.explorable = "ready";
  }

  kinds.curves = function (data, panel) {
    var params = data.params, series = data.series, runs = data.runs, log = data.y_scale === "log";
    var ty = log ? Math.log10 : function (v) { return v; };
    var lo = Infinity, hi = -Infinity, n = 1;
    runs.forEach(function (run) {
      series.forEach(function (s) {
        n = Math.max(n, run[s.key].length);
        run[s.key].forEach(function (v) { if (!log || v > 0) { lo = Math.min(lo, ty(v)); hi = Math.max(hi, ty(v)); } });
      });
    });
    if (log) { lo = Math.floor(lo); hi = Math.ceil(hi); }
    if (hi <= lo) hi = lo + 1;
    var X = function (i) { return M.left + (n > 1 ? i / (n - 1) : 0) * (W - M.left - M.right); };
    var Y = function (v) { return M.top + (hi - ty(Math.max(v, log ? Math.pow(10, lo) : v))) / (hi - lo) * (H - M.top - M.bottom); };

    var controls = node("div", { class: "dlbook-explorable-controls" }, panel);
    var sliders = params.map(function (p, k) {
      var label = node("label", {}, controls);
      node("span", { class: "dlbook-explorable-name" }, label).textContent = p.label + " ";
      var input = node("input", { type: "range", min: 0, max: p.values.length - 1, step: 1, value: 0,
                                  "data-param": p.name, "aria-label": p.label }, label);
      var out = node("output", { class: "dlbook-explorable-value", "data-param": p.name }, label);
      return { input: input, out: out, values: p.values, k: k };
    });
    // an image to assistive technology, named by what it plots; draw() adds the chosen run
    var what = series.map(function (s) { return s.label; }).join(" and ") +
      (data.y_label ? " (" + data.y_label + ")" : "") + " by " + (data.x_label || "step");
    var chart = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "dlbook-explorable-chart", role: "img",
                             "aria-label": what }, panel);
    // axes, ticks and labels: drawn once, in currentColor so both palettes read well
    svg("path", { class: "axis", d: "M" + M.left + " " + M.top + "V" + (H - M.bottom) + "H" + (W - M.right) }, chart);
    var ticks = [];
    if (log) { for (var d = lo; d <= hi; d++) ticks.push(Math.pow(10, d)); }
    else { for (var t = 0; t <= 4; t++) ticks.push(lo + t * (hi - lo) / 4); }
    ticks.forEach(function (v) {
      svg("path", { class: "grid", d: "M" + M.left + " " + Y(v) + "H" + (W - M.right) }, chart);
      text("text", { x: M.left - 6, y: Y(v) + 4, "text-anchor": "end" }, chart, fmt(v));
    });
    [1, Math.round(n / 2), n].forEach(function (e) {
      text("text", { x: X(e - 1), y: H - M.bottom + 16, "text-anchor": "middle" }, chart, String(e));
    });
    text("text", { x: (M.left + W - M.right) / 2, y: H - 6, "text-anchor": "middle" }, chart, data.x_label || "");
    text("text", { x: 14, y: (M.top + H - M.bottom) / 2, "text-anchor": "middle",
                   transform: "rotate(-90 14 " + (M.top + H - M.bottom) / 2 + ")" }, chart, data.y_label || "");
    var paths = series.map(function (s, k) {
      var y0 = M.top + 14 + 16 * k;
      svg("path", { class: "series series-" + k, d: "M" + (W - M.right - 150) + " " + y0 + "h24" }, chart);
      text("text", { x: W - M.right - 120, y: y0 + 4 }, chart, s.label);
      return svg("path", { class: "series series-" + k, "data-series": s.key }, chart);
    });
    var summary = node("p", { class: "dlbook-explorable-summary", "aria-live": "polite" }, panel);

    function draw() {
      var index = 0;
      sliders.forEach(function (s) {
        var v = s.values[Number(s.input.value)];
        s.out.textContent = fmt(v);
        index = index * s.values.length + Number(s.input.value);
      });
      var run = runs[index];
      series.forEach(function (s, k) {
        paths[k].setAttribute("d", run[s.key].map(function (v, i) {
          return (i ? "L" : "M") + X(i).toFixed(1) + " " + Y(v).toFixed(1);
        }).join(""));
      });
      var last = series[series.length - 1], curve = run[last.key], best = 0;
      curve.forEach(function (v, i) { if (v < curve[best]) best = i; });
      summary.textContent = "Lowest " + last.label + ": " + fmt(curve[best]) + " at " + (data.x_label || "step") +
        " " + (best + 1) + "; after the last " + (data.x_label || "step") + ": " + fmt(curve[curve.length - 1]) + ".";
      chart.setAttribute("aria-label", what + ", " + sliders.map(function (s) {
        return params[s.k].label + " " + s.out.textContent;
      }).join(", ") + ". " + summary.textContent);
    }
    sliders.forEach(function (s) { s.input.addEventListener("input", draw); });
    draw();
  };

  function init() { document.querySelectorAll("figure.dlbook-explorable").forEach(setup); }
  // the other kinds' script registers its drawings here, then draws the figures left waiting
  window.dlbookExplorable = {
    node: node, svg: svg, text: text, fmt: fmt,
    register: function (kind, draw) { kinds[kind] = draw; init(); }
  };
  // mkdocs-material emits document$ on every page, including pages reached by instant navigation
  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(init);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

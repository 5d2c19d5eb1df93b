/* Explorable figures of the other kinds (dlbook/figures/kinds.py describes each layout),
 * drawn with the helpers of explorable.js, which must load first:
 *
 * - "sampling": the reader picks a stored prompt and a temperature T (and top-k); the bars
 *   show the most likely next characters, p = softmax(logits / T) computed here, exactly.
 * - "heatmap": a slider over frames (epochs, checkpoints); each frame's panels are matrices
 *   drawn as heat maps on one shared viridis scale, every cell titled with its value.
 */
(function () {
  "use strict";
  var X = window.dlbookExplorable;
  if (!X) return;  // explorable.js is missing: the images stay
  var node = X.node, svg = X.svg, text = X.text, fmt = X.fmt;
  var uid = 0;  // ids of colour-bar gradients, unique on the page

  // a visible control: <label><span>name</span> control <output></label>
  function control(parent, name, tag, attrs) {
    attrs["aria-label"] = name;  // the name alone, without the value or the options
    var label = node("label", {}, parent);
    node("span", { class: "dlbook-explorable-name" }, label).textContent = name + " ";
    var input = node(tag, attrs, label);
    return { input: input, out: node("output", { class: "dlbook-explorable-value" }, label) };
  }
  // a character as the reader can see it: ␣ for a space, ↵ for a newline, U+0007 for controls
  function visible(c) {
    return c.replace(/ /g, "␣").replace(/\n/g, "↵").replace(/\t/g, "⇥").replace(/[\x00-\x1f\x7f]/g, function (x) {
      return "U+" + ("000" + x.charCodeAt(0).toString(16).toUpperCase()).slice(-4);
    });
  }

  // --- "sampling" -------------------------------------------------------------------------

  // the indices of the logits, largest first (ties: the lower index first)
  function ranked(logits) {
    return logits.map(function (v, i) { return i; }).sort(function (a, b) { return logits[b] - logits[a] || a - b; });
  }
  // p_i = exp(z_i - max z) / Σ_j exp(z_j - max z), z = logits / T, over the k largest (all if k = 0)
  function softmax(logits, T, k) {
    var kept = logits.map(function () { return !k; });
    ranked(logits).slice(0, k).forEach(function (i) { kept[i] = true; });
    var z = logits.map(function (l) { return l / T; });
    var m = Math.max.apply(null, z.filter(function (v, i) { return kept[i]; }));
    var e = z.map(function (v, i) { return kept[i] ? Math.exp(v - m) : 0; });
    var sum = e.reduce(function (a, b) { return a + b; }, 0);
    return e.map(function (v) { return v / sum; });
  }

  X.register("sampling", function (data, panel) {
    var chars = data.chars, prompts = data.prompts, temp = data.temperature;
    var n = Math.min(data.shown || 12, chars.length), RH = 24, W = 640, LX = 56, BW = W - LX - 80;
    var dec = Math.max(2, (String(temp.step).split(".")[1] || "").length);  // T shown to the step's decimals
    var controls = node("div", { class: "dlbook-explorable-controls" }, panel);
    var prompt = control(controls, "Prompt", "select", { "data-control": "prompt" });
    prompts.forEach(function (p, i) {
      var tail = p.text.length > 24 ? "…" + p.text.slice(-24) : p.text;
      node("option", { value: i }, prompt.input).textContent = p.label || visible(tail);
    });
    prompt.out.remove();
    var t = control(controls, "Temperature T", "input", { type: "range", min: temp.min, max: temp.max,
      step: temp.step, value: temp.value, "data-control": "temperature" });
    var topk = null;
    if (data.top_k && data.top_k.length) {
      topk = control(controls, "Top-k", "select", { "data-control": "top-k" });
      node("option", { value: 0 }, topk.input).textContent = "all";
      data.top_k.forEach(function (k) { node("option", { value: k }, topk.input).textContent = String(k); });
      topk.out.remove();
    }
    var context = node("p", { class: "dlbook-sampling-prompt" }, panel);
    var chart = svg("svg", { viewBox: "0 0 " + W + " " + (n * RH + 8), role: "img",
                             class: "dlbook-explorable-chart dlbook-sampling-chart" }, panel);
    var rows = [];
    for (var r = 0; r < n; r++) {
      var g = svg("g", { class: "dlbook-sampling-row", transform: "translate(0 " + (4 + r * RH) + ")" }, chart);
      rows.push({ g: g, title: text("title", {}, g, ""),
        char: text("text", { class: "char", x: LX - 10, y: RH / 2 + 5, "text-anchor": "end" }, g, ""),
        bar: svg("rect", { class: "bar", x: LX, y: 3, height: RH - 6, width: 0 }, g),
        prob: text("text", { class: "prob", x: W - 4, y: RH / 2 + 5, "text-anchor": "end" }, g, "") });
    }
    svg("path", { class: "axis", d: "M" + LX + " 2V" + (n * RH + 6) }, chart);
    var summary = node("p", { class: "dlbook-explorable-summary", "aria-live": "polite" }, panel);

    function draw() {
      var p = prompts[Number(prompt.input.value)], T = Number(t.input.value);
      var k = topk ? Number(topk.input.value) : 0, probs = softmax(p.logits, T, k);
      // the order is by logit, so it stays put while T and top-k change the bars
      var order = ranked(p.logits);
      t.out.textContent = T.toFixed(dec);
      var tail = p.text.length > 80 ? "…" + p.text.slice(-80) : p.text;
      context.textContent = "";
      node("code", {}, context).textContent = tail.replace(/\n/g, "↵");
      node("span", { class: "dlbook-sampling-cursor", "aria-hidden": "true" }, context).textContent = "▍";
      var held = 0, entropy = 0;
      probs.forEach(function (q) { if (q > 0) entropy -= q * Math.log(q); });
      rows.forEach(function (row, r) {
        var i = order[r], q = probs[i];
        held += q;
        row.g.setAttribute("data-char", chars[i]);
        row.g.setAttribute("data-p", String(q));
        row.g.classList.toggle("cut", q === 0);
        row.char.textContent = visible(chars[i]);
        row.bar.setAttribute("width", (q * BW).toFixed(2));
        row.prob.textContent = q.toFixed(3);
        row.title.textContent = JSON.stringify(chars[i]) + ": p = " + q.toPrecision(4);
      });
      var best = order.slice(0, 3).map(function (i) { return "“" + visible(chars[i]) + "” " + probs[i].toFixed(3); });
      summary.textContent = "After “" + visible(p.text.slice(-20)) + "” at T = " + T.toFixed(dec) +
        (k ? ", top-k " + k : "") + ": " + best.join(", ") + "; the " + n + " shown hold " + held.toFixed(3) +
        " of the probability; entropy " + entropy.toFixed(2) + " nats.";
      chart.setAttribute("aria-label", "Next-character probabilities: " + order.slice(0, n).map(function (i) {
        return "“" + visible(chars[i]) + "” " + probs[i].toFixed(3);
      }).join(", "));
    }
    [prompt, t, topk].forEach(function (c) {
      if (c) { c.input.addEventListener("input", draw); c.input.addEventListener("change", draw); }
    });
    draw();
  });

  // --- "heatmap" --------------------------------------------------------------------------

  var VIRIDIS = ["#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725"];
  function colour(s) {  // s in [0, 1] -> viridis, linear between its nine stops
    s = Math.min(1, Math.max(0, s)) * (VIRIDIS.length - 1);
    var i = Math.min(Math.floor(s), VIRIDIS.length - 2), f = s - i, a = VIRIDIS[i], b = VIRIDIS[i + 1];
    var c = [1, 3, 5].map(function (j) {
      var x = parseInt(a.substr(j, 2), 16), y = parseInt(b.substr(j, 2), 16);
      return ("0" + Math.round(x + f * (y - x)).toString(16)).slice(-2);
    });
    return "#" + c.join("");
  }

  // one panel's SVG: title, row and column labels, axis names and an R x C grid of cells
  function grid(box, meta, first, xl, yl, panels) {
    var R = first.length, C = first[0].length;
    var rl = (meta.rows || first.map(function (_, r) { return r + 1; })).map(String);
    var cl = (meta.cols || first[0].map(function (_, c) { return c + 1; })).map(String);
    var len = function (labels) { return Math.max.apply(null, labels.map(function (s) { return s.length; })); };
    var PW = panels > 1 ? 300 : 520, cw = PW / C, ch = Math.max(cw, Math.min(36, 96 / R));
    var rotate = Boolean(meta.cols) && 7 * len(cl) + 4 > cw;  // labels wider than their column slant
    var left = (yl ? 22 : 4) + Math.min(120, 8 + 7 * len(rl)), top = 22;
    var bottom = (rotate ? 10 + 5 * Math.min(len(cl), 20) : 18) + (xl ? 18 : 0);
    var w = left + PW + 8, h = top + R * ch + bottom;
    var chart = svg("svg", { viewBox: "0 0 " + w + " " + h, width: w, role: "img", "aria-label": meta.title || "",
                             class: "dlbook-heatmap" }, box);
    text("text", { x: left + PW / 2, y: 14, "text-anchor": "middle", class: "title" }, chart, meta.title || "");
    var rstep = Math.ceil(14 / ch), cstep = Math.ceil(C / Math.max(1, Math.floor(PW / (rotate ? 13 : 7 * len(cl) + 8))));
    if (!meta.cols) cstep = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000].filter(function (k) { return k >= cstep; })[0] || cstep;
    var tick = function (c) { return cstep < 5 ? c % cstep === 0 : c === 0 || (c + 1) % cstep === 0; };  // 1, 10, 20, ...
    rl.forEach(function (s, r) {
      if (r % rstep === 0) text("text", { x: left - 4, y: top + (r + 0.5) * ch + 4, "text-anchor": "end" }, chart, s);
    });
    cl.forEach(function (s, c) {
      if (!tick(c)) return;
      var x = left + (c + 0.5) * cw, y = top + R * ch + 14;
      text("text", rotate ? { x: x, y: y, "text-anchor": "end", transform: "rotate(-50 " + x + " " + y + ")" }
                          : { x: x, y: y, "text-anchor": "middle" }, chart, s);
    });
    if (xl) text("text", { x: left + PW / 2, y: h - 4, "text-anchor": "middle" }, chart, xl);
    var ym = top + R * ch / 2;
    if (yl) text("text", { x: 12, y: ym, "text-anchor": "middle", transform: "rotate(-90 12 " + ym + ")" }, chart, yl);
    if (cw < 6) chart.classList.add("dense");  // no gaps between cells too thin to show them
    var cells = first.map(function (row, r) {
      return row.map(function (_, c) {
        var rect = svg("rect", { class: "cell", x: (left + c * cw).toFixed(2), y: (top + r * ch).toFixed(2),
                                 width: cw.toFixed(2), height: ch.toFixed(2), "data-row": r, "data-col": c }, chart);
        var where = (R > 1 ? (yl || "row") + " " + rl[r] + ", " : "") + (xl || "column") + " " + cl[c];
        return { rect: rect, title: text("title", {}, rect, ""), where: where };
      });
    });
    return { meta: meta, cells: cells };
  }

  function decade(d) { return Math.abs(d) <= 2 ? fmt(Math.pow(10, d)) : "1e" + d; }  // 0.01, 1, 1e-6

  X.register("heatmap", function (data, panel) {
    var frames = data.frames, log = data.scale === "log", fl = data.frame_label || "frame";
    var xl = data.x_label || "", yl = data.y_label || "";
    var ty = log ? Math.log10 : function (v) { return v; };
    var lo = Infinity, hi = -Infinity;
    if (data.range) { lo = ty(data.range[0]); hi = ty(data.range[1]); }
    else data.values.forEach(function (f) { f.forEach(function (m) { m.forEach(function (row) { row.forEach(function (v) {
      if (v !== null) { lo = Math.min(lo, ty(v)); hi = Math.max(hi, ty(v)); }
    }); }); }); });
    if (!(hi > lo)) { hi = (isFinite(lo) ? lo : 0) + 1; lo = hi - 1; }
    var scale = function (v) { return (ty(v) - lo) / (hi - lo); };

    var controls = node("div", { class: "dlbook-explorable-controls" }, panel);
    var slider = control(controls, fl, "input", { type: "range", min: 0, max: frames.length - 1, step: 1,
                                                   value: 0, "data-control": "frame" });
    var box = node("div", { class: "dlbook-heatmap-panels" }, panel);
    var grids = data.panels.map(function (meta, p) {
      return grid(box, meta, data.values[0][p], xl, yl, data.panels.length);
    });
    // one colour bar for all panels and frames: lo to hi, ticks at decades on a log scale
    var id = "dlbook-cbar-" + (++uid), CW = 300, bar = svg("svg", { viewBox: "0 0 " + (CW + 48) + " 46",
      width: CW + 48, class: "dlbook-colorbar", "aria-hidden": "true" }, panel);
    var grad = svg("linearGradient", { id: id }, svg("defs", {}, bar));
    VIRIDIS.forEach(function (c, i) { svg("stop", { offset: i / (VIRIDIS.length - 1), "stop-color": c }, grad); });
    svg("rect", { x: 24, y: 4, width: CW, height: 12, fill: "url(#" + id + ")", class: "frame" }, bar);
    var ticks = [], first = Math.ceil(lo - 1e-9), every = Math.ceil((hi - first + 1) / 6);
    if (log) { for (var d = first; d <= hi + 1e-9; d += every) ticks.push(d); }
    if (ticks.length < 2) ticks = [lo, (lo + hi) / 2, hi];
    ticks.forEach(function (v) {
      var x = 24 + (v - lo) / (hi - lo) * CW;
      svg("path", { class: "axis", d: "M" + x + " 16v4" }, bar);
      text("text", { x: x, y: 31, "text-anchor": "middle" }, bar, log ? decade(v) : fmt(v));
    });
    text("text", { x: 24 + CW / 2, y: 44, "text-anchor": "middle" }, bar, data.value_label || "");
    var summary = node("p", { class: "dlbook-explorable-summary", "aria-live": "polite" }, panel);

    function draw() {
      var f = Number(slider.input.value), parts = [];
      slider.out.textContent = String(frames[f]);
      grids.forEach(function (g, p) {
        var m = data.values[f][p], min = null, max = null;
        g.cells.forEach(function (row, r) {
          row.forEach(function (cell, c) {
            var v = m[r][c];
            cell.rect.classList.toggle("missing", v === null);
            cell.rect.setAttribute("fill", v === null ? "none" : colour(scale(v)));
            cell.title.textContent = (g.meta.title ? g.meta.title + ", " : "") + cell.where + ": " +
              (v === null ? "no value" : fmt(v));
            if (v !== null && (min === null || v < min.v)) min = { v: v, at: cell.where };
            if (v !== null && (max === null || v > max.v)) max = { v: v, at: cell.where };
          });
        });
        var title = g.meta.title || "panel " + (p + 1);
        parts.push(min ? title + " from " + fmt(min.v) + " (" + min.at + ") to " + fmt(max.v) + " (" + max.at + ")"
                       : title + " has no values");
      });
      summary.textContent = fl + " " + frames[f] + ": " + parts.join("; ") + ".";
    }
    slider.input.addEventListener("input", draw);
    draw();
  });
})();

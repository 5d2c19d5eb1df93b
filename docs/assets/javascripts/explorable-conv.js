/* Explorable figures of the convolution chapter (dlbook/figures/kinds_conv.py describes each
 * layout), drawn with the helpers of explorable.js, which must load first:
 *
 * - "conv-window": the input, the kernel and the output as grids of numbers. The output is
 *   computed here, exactly, as dlbook.conv.conv2d does (cross-correlation: no kernel flip);
 *   hovering, tapping or focusing an output cell (arrow keys move) frames its input window
 *   and spells out its sum of products.
 * - "image-picker": radio buttons pick which of a few images shows, with its kernel beside it.
 */
(function () {
  "use strict";
  var X = window.dlbookExplorable;
  if (!X) return;  // explorable.js is missing: the images stay
  var node = X.node;
  var uid = 0;  // names and ids unique on the page

  // a number as a reader writes it: 4, 0.25, −1 (a true minus), at most 4 significant digits
  function num(v) {
    var s = Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
    return s.replace(/-/g, "−");
  }
  function factor(v) { return v < 0 ? "(" + num(v) + ")" : num(v); }  // 2·(−1), not 2·−1
  function rowsText(m) { return m.map(function (row) { return row.map(num).join(" "); }).join("; "); }

  // a titled R x C grid of numbers; cells are <span>s, or <button>s when opts.buttons
  function grid(parent, title, m, opts) {
    var block = node("div", { class: "dlbook-conv-block" }, parent);
    var id = "dlbook-conv-title-" + (++uid);
    node("p", { class: "dlbook-conv-title", id: id }, block).textContent = title;
    var R = m.length, C = m[0].length;
    var box = node("div", { class: "dlbook-conv-grid" + (opts.extra ? " " + opts.extra : "") }, block);
    box.style.setProperty("--cols", String(C));
    // columns wide enough for the longest number: "−1.75" needs more than "1"
    box.style.setProperty("--chars", String(Math.max.apply(null, m.map(function (row) {
      return Math.max.apply(null, row.map(function (v) { return num(v).length; }));
    }))));
    if (opts.buttons) { box.setAttribute("role", "group"); box.setAttribute("aria-labelledby", id); }
    else {  // read as one image: its title, its size and its numbers row by row
      box.setAttribute("role", "img");
      box.setAttribute("aria-label", title + ", " + R + " by " + C + (opts.note || "") + ": " + rowsText(m));
    }
    var cells = m.map(function (row, r) {
      return row.map(function (v, c) {
        var cell = node(opts.buttons ? "button" : "span", { class: "dlbook-conv-cell", "data-row": r,
          "data-col": c, "data-value": String(v) }, box);
        cell.style.gridRow = String(r + 1);  // placed, so the window's frame can overlap the cells
        cell.style.gridColumn = String(c + 1);
        if (opts.buttons) cell.setAttribute("type", "button");
        if (opts.pad && opts.pad(r, c)) cell.classList.add("pad");
        cell.textContent = num(v);
        return cell;
      });
    });
    return { block: block, box: box, cells: cells };
  }

  // --- "conv-window" ----------------------------------------------------------------------

  // out[i][j] = Σ_u Σ_v x_pad[s·i + u][s·j + v] · w[u][v], row by row, with its terms
  function correlate(x, w, s, p) {
    var H = x.length, W = x[0].length, kh = w.length, kw = w[0].length;
    var xp = [];
    for (var r = 0; r < H + 2 * p; r++) {
      xp.push([]);
      for (var c = 0; c < W + 2 * p; c++) {
        var inside = r >= p && r < H + p && c >= p && c < W + p;
        xp[r].push(inside ? x[r - p][c - p] : 0);
      }
    }
    var Ho = Math.floor((H + 2 * p - kh) / s) + 1, Wo = Math.floor((W + 2 * p - kw) / s) + 1, out = [];
    for (var i = 0; i < Ho; i++) {
      out.push([]);
      for (var j = 0; j < Wo; j++) {
        var value = 0, terms = [];
        for (var u = 0; u < kh; u++) {
          for (var v = 0; v < kw; v++) {
            var a = xp[s * i + u][s * j + v], b = w[u][v];
            value += a * b;
            terms.push(factor(a) + "·" + factor(b));
          }
        }
        out[i].push({ value: value, terms: terms });
      }
    }
    return { padded: xp, out: out };
  }

  X.register("conv-window", function (data, panel) {
    var x = data.input, w = data.kernel, s = data.stride, p = data.padding, labels = data.labels || {};
    var H = x.length, W = x[0].length, kh = w.length, kw = w[0].length;
    var result = correlate(x, w, s, p), out = result.out, Ho = out.length, Wo = out[0].length;
    var names = { input: labels.input || "Input", kernel: labels.kernel || "Kernel", output: labels.output || "Output" };

    var row = node("div", { class: "dlbook-conv-grids" }, panel);
    var input = grid(row, names.input, result.padded, {
      extra: "dlbook-conv-input", note: p ? " (with " + p + " of zero padding)" : "",
      pad: function (r, c) { return r < p || r >= H + p || c < p || c >= W + p; } });
    var rest = node("div", { class: "dlbook-conv-grids" }, row);  // "⋆ kernel = output" wraps as one
    node("span", { class: "dlbook-conv-op", "aria-hidden": "true" }, rest).textContent = "⋆";
    grid(rest, names.kernel, w, { extra: "dlbook-conv-kernel" });
    node("span", { class: "dlbook-conv-op", "aria-hidden": "true" }, rest).textContent = "=";
    var output = grid(rest, names.output, out.map(function (r) { return r.map(function (o) { return o.value; }); }),
                      { buttons: true, extra: "dlbook-conv-output" });
    var frame = node("div", { class: "dlbook-conv-window", "aria-hidden": "true" }, input.box);
    var hint = node("p", { class: "dlbook-conv-hint", id: "dlbook-conv-hint-" + (++uid) }, panel);
    hint.textContent = "Point at, tap or tab to an output cell to see its window; arrow keys move." +
      (s > 1 ? " The window moves " + s + " cells per step (stride " + s + ")." : "");
    output.box.setAttribute("aria-describedby", hint.id);
    var summary = node("p", { class: "dlbook-explorable-summary dlbook-conv-sum", "aria-live": "polite" }, panel);
    var at = { i: -1, j: -1 };

    function select(i, j) {
      if (i === at.i && j === at.j) return;
      if (at.i >= 0) {
        var old = output.cells[at.i][at.j];
        old.classList.remove("selected"); old.setAttribute("aria-pressed", "false"); old.tabIndex = -1;
      }
      at = { i: i, j: j };
      var cell = output.cells[i][j], o = out[i][j];
      cell.classList.add("selected"); cell.setAttribute("aria-pressed", "true"); cell.tabIndex = 0;
      input.cells.forEach(function (cells, r) {
        cells.forEach(function (e, c) {
          e.classList.toggle("in-window", r >= s * i && r < s * i + kh && c >= s * j && c < s * j + kw);
        });
      });
      frame.style.gridRow = (s * i + 1) + " / span " + kh;
      frame.style.gridColumn = (s * j + 1) + " / span " + kw;
      var text = o.terms.join(" + ") + " = " + num(o.value);
      summary.textContent = "Row " + (i + 1) + ", column " + (j + 1) + ": " + text;
      summary.dataset.row = String(i); summary.dataset.col = String(j);
    }

    output.cells.forEach(function (cells, i) {
      cells.forEach(function (cell, j) {
        cell.tabIndex = -1;
        cell.setAttribute("aria-pressed", "false");
        cell.setAttribute("aria-label", "row " + (i + 1) + ", column " + (j + 1) + ": " + num(out[i][j].value));
        cell.addEventListener("mouseenter", function () { select(i, j); });
        cell.addEventListener("focus", function () { select(i, j); });
        cell.addEventListener("click", function () { select(i, j); cell.focus(); });
      });
    });
    var moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    output.box.addEventListener("keydown", function (e) {
      var i = at.i, j = at.j;
      if (moves[e.key]) { i += moves[e.key][0]; j += moves[e.key][1]; }
      else if (e.key === "Home") j = 0;
      else if (e.key === "End") j = Wo - 1;
      else return;
      e.preventDefault();
      i = Math.min(Ho - 1, Math.max(0, i)); j = Math.min(Wo - 1, Math.max(0, j));
      output.cells[i][j].focus();  // its focus handler selects it
    });
    select(0, 0);
  });

  // --- "image-picker" ---------------------------------------------------------------------

  X.register("image-picker", function (data, panel) {
    var images = data.images, name = "dlbook-picker-" + (++uid);
    var choices = node("fieldset", { class: "dlbook-picker-choices" }, panel);
    node("legend", {}, choices).textContent = data.legend || "Image";
    var view = node("div", { class: "dlbook-picker-view" }, panel);
    var shown = images.map(function (item, k) {
      var label = node("label", { class: "dlbook-picker-choice" }, choices);
      var radio = node("input", { type: "radio", name: name, value: k, "data-label": item.label }, label);
      node("span", {}, label).textContent = item.label;
      var img = node("img", { class: "dlbook-picker-image", src: item.src, alt: item.alt, "data-label": item.label }, view);
      var kernel = item.kernel ? grid(view, "Kernel (" + item.label + ")", item.kernel,
                                      { extra: "dlbook-conv-kernel dlbook-picker-kernel" }).block : null;
      radio.addEventListener("change", function () { if (radio.checked) show(k); });
      return { radio: radio, img: img, kernel: kernel };
    });
    var summary = node("p", { class: "dlbook-explorable-summary dlbook-picker-label", "aria-live": "polite" }, panel);

    function show(k) {
      shown.forEach(function (e, n) {
        e.radio.checked = n === k;
        e.img.hidden = n !== k;
        if (e.kernel) e.kernel.hidden = n !== k;
      });
      var item = images[k];
      summary.textContent = "Showing: " + item.label + (item.kernel ? ", kernel " + rowsText(item.kernel) : "") + ".";
      summary.dataset.label = item.label;
    }
    show(data.initial || 0);
  });
})();

/* The explorable figure of the attention chapter (dlbook/figures/kinds_attention.py describes
 * its layout), drawn with the helpers of explorable.js, which must load first:
 *
 * - "attention": the reader picks a prompt, a layer and a head, then points at, taps or tabs
 *   to a character of the prompt (arrow keys move): every character it may see is tinted and
 *   gets a bar as tall as the share of that position's attention it receives, and a line
 *   spells out the largest shares. Characters after the chosen one are masked (causal).
 *   The weights are stored as integers out of data.scale; nothing is computed but a sort.
 */
(function () {
  "use strict";
  var X = window.dlbookExplorable;
  if (!X) return;  // explorable.js is missing: the image stays
  var node = X.node;
  var uid = 0;  // ids unique on the page

  // a character as the reader can see it: ␣ for a space, ↵ for a newline, ⇥ for a tab
  function visible(c) {
    return c === " " ? "␣" : c === "\n" ? "↵" : c === "\t" ? "⇥" : c;
  }
  function percent(share) { return Math.round(100 * share) + "%"; }

  // <label><span>name</span><select>options</select></label>
  function choice(parent, name, key, options) {
    var label = node("label", {}, parent);
    node("span", { class: "dlbook-explorable-name" }, label).textContent = name + " ";
    var select = node("select", { "data-control": key, "aria-label": name, class: "dlbook-attn-" + key }, label);
    options.forEach(function (text, i) { node("option", { value: i }, select).textContent = text; });
    return select;
  }

  X.register("attention", function (data, panel) {
    var prompts = data.prompts, scale = data.scale || 100, causal = data.causal !== false;
    var controls = node("div", { class: "dlbook-explorable-controls" }, panel);
    var prompt = choice(controls, "Prompt", "prompt", prompts.map(function (p) {
      return p.label || p.text.replace(/\n/g, "↵");  // a menu entry: spaces stay spaces
    }));
    var range = function (n) { return Array.apply(null, Array(n)).map(function (_, i) { return String(i + 1); }); };
    var layer = choice(controls, "Layer", "layer", range(data.layers));
    var head = choice(controls, "Head", "head", range(data.heads));
    var hint = node("p", { class: "dlbook-attn-hint", id: "dlbook-attn-hint-" + (++uid) }, panel);
    hint.textContent = "Point at, tap or tab to a character to see where its attention goes; arrow keys " +
      "move. Bars and tint: the share of the chosen character's attention that each character receives.";
    var tokens = node("div", { class: "dlbook-attn-tokens", role: "group", "aria-label": "Characters of the prompt",
                               "aria-describedby": hint.id }, panel);
    var summary = node("p", { class: "dlbook-explorable-summary dlbook-attn-summary", "aria-live": "polite" }, panel);
    var cells = [], at = { q: -1 };

    function row() {  // the chosen query's weights over every position (0 where it may not look)
      var text = prompts[+prompt.value].text;
      var stored = data.weights[+prompt.value][+layer.value][+head.value][at.q];
      return text.split("").map(function (_, j) { return j < stored.length ? stored[j] / scale : 0; });
    }

    function draw() {
      var text = prompts[+prompt.value].text, w = row(), q = at.q;
      cells.forEach(function (cell, j) {
        var chosen = j === q, masked = causal && j > q;
        cell.button.classList.toggle("query", chosen);
        cell.button.classList.toggle("masked", masked);
        cell.button.setAttribute("aria-pressed", chosen ? "true" : "false");
        cell.button.tabIndex = chosen ? 0 : -1;
        cell.button.style.setProperty("--w", String(w[j]));
        cell.button.dataset.weight = String(w[j]);
        var shown = !masked && w[j] >= 0.05;  // small shares are left off the button, not out of its name
        cell.share.textContent = shown ? " " + percent(w[j]) : "";
        cell.spoken.textContent = (masked ? ", masked" : shown ? "" : " " + percent(w[j])) + ", position " + (j + 1);
      });
      var order = w.map(function (v, j) { return j; }).filter(function (j) { return !causal || j <= q; })
        .sort(function (a, b) { return w[b] - w[a] || a - b; }).slice(0, 3);
      summary.textContent = "Layer " + (+layer.value + 1) + ", head " + (+head.value + 1) + ": position " +
        (q + 1) + " (" + visible(text[q]) + ") attends most to " + order.map(function (j) {
          return visible(text[j]) + " at " + (j + 1) + " (" + percent(w[j]) + ")";
        }).join(", ") + ".";
      summary.dataset.query = String(q);
    }

    function select(q) {
      if (q === at.q) return;
      at.q = q;
      draw();
    }

    function build() {  // one button per character of the chosen prompt
      tokens.textContent = "";
      var text = prompts[+prompt.value].text;
      cells = text.split("").map(function (c, j) {
        var button = node("button", { type: "button", class: "dlbook-attn-token", "data-pos": j }, tokens);
        node("span", { class: "dlbook-attn-fill", "aria-hidden": "true" }, button);
        // the button's name is its text: the character, its share, then (for screen readers only)
        // its position
        node("span", { class: "dlbook-attn-char" }, button).textContent = visible(c);
        node("span", { class: "dlbook-attn-bar", "aria-hidden": "true" }, button);
        var share = node("span", { class: "dlbook-attn-share" }, button);
        var spoken = node("span", { class: "dlbook-attn-spoken" }, button);
        button.addEventListener("mouseenter", function () { select(j); });
        button.addEventListener("focus", function () { select(j); });
        button.addEventListener("click", function () { select(j); button.focus(); });
        return { button: button, share: share, spoken: spoken };
      });
      at.q = -1;
      select(text.length - 1);  // the last character: it may look at all the others
    }

    tokens.addEventListener("keydown", function (e) {
      var n = cells.length, q = at.q;
      if (e.key === "ArrowLeft" || e.key === "ArrowUp") q -= 1;
      else if (e.key === "ArrowRight" || e.key === "ArrowDown") q += 1;
      else if (e.key === "Home") q = 0;
      else if (e.key === "End") q = n - 1;
      else return;
      e.preventDefault();
      cells[Math.min(n - 1, Math.max(0, q))].button.focus();  // its focus handler selects it
    });
    prompt.addEventListener("change", build);
    layer.addEventListener("change", draw);
    head.addEventListener("change", draw);
    build();
  });
})();

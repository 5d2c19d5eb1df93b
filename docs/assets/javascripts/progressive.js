/* Chapters render in pieces: the first screen at once, the rest a little at a time.

   A chapter is ten to twenty thousand elements (formulas above all). notebook.css gives its
   code cells and its runs of text (div.dlbook-flow) `content-visibility: auto`, so the first
   paint lays out only what is near the screen. Left like that, the rest would be laid out
   whenever it scrolls near, and its heights would stay guesses: a jump to a heading could land
   a little off, and tools that read the page without scrolling (axe-core, which Lighthouse
   runs) would see text that was never rendered. So once the page has loaded, this script
   renders the remaining pieces in order, from the top, in slices of a few milliseconds while
   the browser is idle: the page answers taps and scrolls throughout, and no task is long.

   When every piece is rendered, <html> gets data-dlbook-rendered="all" (the site's tests wait
   for it). Pages without such pieces get it at once. */
(function () {
  "use strict";
  var SLICE_MS = 6; // work per slice: well under the 50 ms of a "long task", even on a slow phone
  var PIECES = ".jupyter-wrapper .jp-Notebook > .jp-CodeCell, .jupyter-wrapper .dlbook-flow";

  function done() {
    document.documentElement.setAttribute("data-dlbook-rendered", "all");
  }

  var later = window.requestIdleCallback
    ? function (fn) { window.requestIdleCallback(fn, { timeout: 500 }); }
    : function (fn) { window.setTimeout(fn, 16); };

  function start() {
    var pieces = document.querySelectorAll(PIECES);
    var next = 0;
    if (!pieces.length) return done();
    function slice() {
      var begin = performance.now();
      while (next < pieces.length && performance.now() - begin < SLICE_MS) {
        pieces[next].classList.add("dlbook-rendered");
        void pieces[next].offsetHeight; // lay it out now, inside this slice
        next += 1;
      }
      if (next < pieces.length) later(slice);
      else done();
    }
    later(slice);
  }

  if (document.readyState === "complete") start();
  else window.addEventListener("load", start, { once: true });
})();

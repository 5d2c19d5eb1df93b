// MathJax configuration, read by docs/assets/vendor/mathjax/tex-chtml-full.js.
// Markdown pages: pymdownx.arithmatex wraps math in \( \) and \[ \] inside .arithmatex.
// Notebook pages: mkdocs-jupyter leaves $ and $$ inside .jp-RenderedMarkdown / .jp-MarkdownOutput.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex|jp-RenderedMarkdown|jp-MarkdownOutput",
    // the accessibility menu would fetch speech modules on demand; keep every request local
    enableMenu: false,
  },
  chtml: {
    fontURL: new URL("../vendor/mathjax/output/chtml/fonts/woff-v2", document.currentScript.src).href,
  },
};

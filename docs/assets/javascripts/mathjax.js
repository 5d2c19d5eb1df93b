// MathJax configuration, read by docs/assets/vendor/mathjax/tex-chtml-full.js.
// Markdown pages: pymdownx.arithmatex wraps math in \( \) and \[ \] inside .arithmatex.
// Notebook pages: mkdocs-jupyter leaves $ and $$ in the paragraphs of .jp-RenderedMarkdown.
// Material's recipe ignores every class but .arithmatex (ignoreHtmlClass ".*|"), which
// would also skip the <p> elements inside notebook cells; instead only the site's chrome
// is ignored. Code and outputs sit in <pre>/<code>, which MathJax always skips.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    ignoreHtmlClass: "tex2jax_ignore|mathjax_ignore|md-header|md-sidebar|md-footer|md-search|md-nav|md-source",
    processHtmlClass: "arithmatex|jp-RenderedMarkdown|jp-MarkdownOutput",
    // the accessibility menu would fetch speech modules on demand; keep every request local
    enableMenu: false,
  },
  chtml: {
    fontURL: new URL("../vendor/mathjax/output/chtml/fonts/woff-v2", document.currentScript.src).href,
  },
};

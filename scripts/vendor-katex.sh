#!/usr/bin/env bash
# Copies KaTeX from the npm registry into the repository (run by hand to update it):
#
#   scripts/vendor-katex.sh 0.19.1
#
# The build typesets every formula with katex.min.js (dlbook_build/vendor/, run in-process by
# mini-racer), so the site ships no math typesetter: only the stylesheet and the woff2 fonts
# (docs/assets/vendor/katex/), of which a browser fetches just the faces a page uses.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: scripts/vendor-katex.sh VERSION}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "katex@$version" >/dev/null && tar xzf "katex-$version.tgz")
dist=$tmp/package/dist
site=docs/assets/vendor/katex
build=dlbook-build/dlbook_build/vendor
rm -rf "$site" && mkdir -p "$site/fonts" "$build"
cp "$dist"/fonts/*.woff2 "$site/fonts/"
# font-display: swap (text shows at once in a fallback face); only the woff2 sources, which every
# browser that renders the site reads, so the stylesheet names no file the site lacks
sed -E 's/,url\([^)]*\.woff\) format\("woff"\)//g; s/,url\([^)]*\.ttf\) format\("truetype"\)//g' \
  "$dist/katex-swap.min.css" >"$site/katex.min.css"
cp "$tmp/package/LICENSE" "$site/LICENSE"
cp "$dist/katex.min.js" "$build/katex.min.js"
cp "$tmp/package/LICENSE" "$build/KATEX-LICENSE"
printf '%s\n' "$version" >"$build/KATEX-VERSION"
cat >"$site/VENDORED.txt" <<TXT
# KaTeX $version (vendored)

Every formula of the book is typeset while the site is built (dlbook_build/typeset.py runs
KaTeX's own katex.min.js in-process), so no page loads a math typesetter. A page needs only:

- katex.min.css: KaTeX's katex-swap.min.css (font-display: swap), with the woff and ttf
  sources removed from each @font-face: every browser the site supports reads woff2;
- fonts/*.woff2: the faces; a browser fetches only those a page's formulas use.

MIT licence, see LICENSE. To update: scripts/vendor-katex.sh VERSION (uses npm).
TXT
echo "vendored KaTeX $version: $(du -sh "$site" | cut -f1) for the site, $(du -sh "$build/katex.min.js" | cut -f1) for the build"

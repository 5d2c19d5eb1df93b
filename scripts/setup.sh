#!/usr/bin/env bash
# Installs what `make serve`, `make site`, `make test` and `make bench` need, then stamps .venv.
#
#   scripts/setup.sh system site|test   system packages (apt, as root or with sudo)
#   scripts/setup.sh python             .venv with the pinned versions of requirements.lock
#                                       (torch by pip, the rest by uv; DLBOOK_INSTALLER=pip: all by pip)
#   scripts/setup.sh node [benchmarks]  node_modules/ with the pinned versions of package-lock.json:
#                                       axe-core for the accessibility test (`make test`), or with
#                                       benchmarks/, Lighthouse for benchmarks/site.py (`make bench`)
#
# Make calls the first on every run (it only looks, unless something is missing) and the
# second after it, only when a pyproject.toml or requirements.lock changed since the last
# install. The third is a file check unless package-lock.json changed since the last
# install. scripts/lock.sh regenerates requirements.lock; `npm install` regenerates
# package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

LOCK=requirements.lock
VENV=.venv

say() { printf 'setup: %s\n' "$*" >&2; }

# Installs the missing system packages, or names them and stops (before pip runs: without them
# it would fail late, compiling pycairo or manimpango) where it cannot: no apt, no root, no sudo.
apt_install() {
  local packages=("$@")
  if ! command -v apt-get >/dev/null; then
    say "missing system packages: ${packages[*]} (Debian's names; this script knows apt only: install them by hand)"
    exit 1
  fi
  if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    say "missing system packages: ${packages[*]}"
    say "install them with:  sudo apt-get install -y ${packages[*]}"
    exit 1
  fi
  say "installing system packages: ${packages[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
}

system() {
  local target=$1 missing=()
  command -v python3 >/dev/null || missing+=(python3)
  if command -v python3 >/dev/null && ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    say "dlbook needs Python 3.11 or newer; python3 here is $(python3 -V 2>&1 | cut -d' ' -f2)"
    exit 1
  fi
  python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
  # pip compiles pycairo and manimpango: they need Python's headers (Python.h)
  python3 -c 'import sysconfig, os, sys; sys.exit(not os.path.isfile(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
    2>/dev/null || missing+=(python3-dev)
  command -v git >/dev/null || missing+=(git)
  # Manim (animations/, rendered by every build): manimpango compiles against Pango, and
  # MathTex runs LaTeX (article class) and dvisvgm. PyAV bundles its own ffmpeg.
  command -v cc >/dev/null || missing+=(build-essential)
  command -v pkg-config >/dev/null || missing+=(pkg-config)
  pkg-config --exists pangocairo 2>/dev/null || missing+=(libpango1.0-dev)
  command -v latex >/dev/null || missing+=(texlive-latex-base)
  command -v dvisvgm >/dev/null || missing+=(dvisvgm)
  if [ "$target" = test ]; then
    # the browser test drives Debian's Chromium; fonts so pages render as a reader sees them
    command -v chromium >/dev/null || missing+=(chromium fonts-dejavu-core)
    # the accessibility test (axe-core) and benchmarks/site.py (Lighthouse) come from npm
    command -v node >/dev/null || missing+=(nodejs)
    command -v npm >/dev/null || missing+=(npm)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    apt_install "${missing[@]}"
  fi
}

python_env() {
  [ -x "$VENV/bin/python" ] || { say "creating $VENV"; python3 -m venv "$VENV"; }
  local pip=("$VENV/bin/python" -m pip --disable-pip-version-check -q)
  # torch first, pinned and by pip: an unpinned torch can pull gigabytes of CUDA packages, and
  # pip takes a local wheel where its configuration names one. What torch needs comes pinned.
  local torch
  torch=$(sed -n 's/^# torch: *//p' "$LOCK")
  say "installing $torch, then the pinned dependencies of $LOCK"
  # the library, then the book's build (which depends on it) with the test tools
  local projects=(-e . -e "./dlbook-build[dev]")
  if [ "${DLBOOK_INSTALLER:-uv}" = pip ]; then
    "${pip[@]}" install -c "$LOCK" "$torch"
    "${pip[@]}" install -c "$LOCK" "${projects[@]}"
  else
    # uv (pinned in the lock) installs the same pins three times faster than pip: parallel
    # downloads and builds. It reads no pip configuration, so torch is pinned to the build pip
    # installed, which uv keeps. DLBOOK_INSTALLER=pip does all of it with pip instead.
    "${pip[@]}" install -c "$LOCK" "$torch" uv
    printf '%s\n' "$torch" >"$VENV/.torch-pin"
    # uv trusts the certificate authorities pip is told to (a proxy's, say): pip's cert setting
    local cert=${SSL_CERT_FILE:-${PIP_CERT:-$("${pip[@]}" config get global.cert 2>/dev/null || true)}}
    if ! SSL_CERT_FILE=${cert:-/etc/ssl/certs/ca-certificates.crt} UV_LINK_MODE=copy \
        "$VENV/bin/uv" pip install --quiet --strict --python "$VENV/bin/python" \
        -c "$LOCK" -c "$VENV/.torch-pin" "${projects[@]}"; then
      say "uv could not install the locked environment (above); installing it with pip instead"
      "${pip[@]}" install -c "$LOCK" "${projects[@]}"
    fi
  fi
  touch "$VENV/.installed"
}

# <dir>/node_modules/ exactly as <dir>/package-lock.json pins it, when the lock is newer than
# the last install: the repository's root (axe-core, make test) or benchmarks/ (Lighthouse,
# make bench). Lighthouse's lock needs npm 10 or newer: Debian 12's npm 9 rejects one of its
# dependencies (a version given as the tag "latest"), so an older npm runs a pinned npm 10.
NPM10=npm@10.9.2
node_env() {
  local dir=${1:-.}
  local stamp=$dir/node_modules/.installed
  if [ -f "$stamp" ] && [ ! "$dir/package-lock.json" -nt "$stamp" ]; then
    return 0
  fi
  if ! command -v npm >/dev/null; then
    say "npm is missing: run scripts/setup.sh system test (or: sudo apt-get install -y nodejs npm)"
    exit 1
  fi
  local npm=(npm)
  if [ "$dir" != . ] && [ "$(npm --version | cut -d. -f1)" -lt 10 ]; then
    npm=(npx --yes "$NPM10")
  fi
  say "installing the pinned node packages of $dir/package-lock.json (${npm[*]} ci)"
  (cd "$dir" && "${npm[@]}" ci --no-audit --no-fund --loglevel=error >&2)
  touch "$stamp"
}

case "${1:-}" in
  system) system "${2:-site}" ;;
  python) python_env ;;
  node) node_env "${2:-.}" ;;
  *) say "usage: scripts/setup.sh system site|test | python | node [benchmarks]"; exit 2 ;;
esac

#!/usr/bin/env bash
# Regenerates requirements.lock, the pinned versions scripts/setup.sh installs .venv with.
#
#   scripts/lock.sh                          re-resolve after a change to either pyproject.toml,
#                                            keeping every pin that still fits
#   scripts/lock.sh --upgrade-package NAME   move NAME (and only what it needs) to its newest release
#   scripts/lock.sh --upgrade                move everything to the newest releases
#
# One universal lock (uv pip compile --universal) that holds for every Python the project
# supports (requires-python >= 3.11: Debian 12's /usr/bin/python3 is 3.11.2) on every
# platform; a pin that only some platforms or Pythons need carries an environment marker,
# which pip reads in a constraints file. torch is not in it: setup.sh installs torch first,
# from the `# torch:` line of the header, and the lock pins what torch's CPU build needs
# beside it (filelock, sympy, ...) but not the CUDA packages of PyPI's build (nvidia-*,
# cuda-*, triton). Needs PyPI. uv: $UV, else .venv's (setup.sh installs the locked one), else
# the one on PATH, else the locked release in a throwaway venv.
set -euo pipefail
cd "$(dirname "$0")/.."

LOCK=requirements.lock
UV_VERSION=$(sed -n 's/^uv==\([^ ;]*\).*/\1/p' "$LOCK")

say() { printf 'lock: %s\n' "$*" >&2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

uv=${UV:-}
[ -n "$uv" ] || [ ! -x .venv/bin/uv ] || uv=.venv/bin/uv
[ -n "$uv" ] || uv=$(command -v uv || true)
if [ -z "$uv" ]; then
  say "installing uv${UV_VERSION:+==$UV_VERSION} into a throwaway venv"
  python3 -m venv "$tmp/uv"
  "$tmp/uv/bin/python" -m pip install --disable-pip-version-check -q "uv${UV_VERSION:+==$UV_VERSION}"
  uv=$tmp/uv/bin/uv
fi

torch=$(sed -n 's/^# torch: *//p' "$LOCK")
[ -n "$torch" ] || { say "no '# torch: SPEC' line in $LOCK"; exit 1; }

# What setup.sh installs: the library with its extras, the book's build with the test tools,
# and uv, which installs them.
cat >"$tmp/requirements.in" <<EOF
-e .[plot,data,notebooks]
-e ./dlbook-build[dev]
uv
EOF
cat >"$tmp/constraints.txt" <<EOF
$torch
# The newest releases that install on Python 3.11.0-3.11.4 (later ones need 3.11.5): one
# version for every Python, so the book's pages come out the same whichever builds them.
pymdown-extensions<13
soupsieve<3
EOF

# uv takes the pins already in its output file as preferences: a pin moves only when it must.
cp "$LOCK" "$tmp/resolved.txt"
"$uv" pip compile --quiet --universal --python-version 3.11 --no-header \
  --constraints "$tmp/constraints.txt" --output-file "$tmp/resolved.txt" "$@" "$tmp/requirements.in"

# Drop the editable projects, torch, the CUDA packages of PyPI's torch and whatever only they
# need (torch's own needs stay: its CPU build installs them too); one line per pin, no `# via`.
python3 - "$tmp/resolved.txt" >"$tmp/pins.txt" <<'EOF'
import re, sys

CUDA = re.compile(r"^(triton|nvidia-.*|cuda-.*)$")
blocks, current = [], None
for line in open(sys.argv[1]).read().splitlines():
    if line.startswith("    #"):
        text = line.strip("# ").strip()
        if text.startswith("via"):
            text = text[3:].strip()
        if text:
            current["via"].append(text.split()[-1] if text.startswith("-r") else text.lower())
    elif line and not line.startswith("#"):
        editable = line.startswith("-e ")
        name = line if editable else re.split(r"[=<>;\s\[]", line, maxsplit=1)[0].lower()
        current = {"line": line, "name": name, "via": [], "editable": editable}
        blocks.append(current)

cuda = {b["name"] for b in blocks if CUDA.match(b["name"])}
while True:  # a pin that only the CUDA packages need goes too
    orphans = {b["name"] for b in blocks if b["name"] not in cuda and b["via"]
               and all(v in cuda for v in b["via"])}
    if not orphans:
        break
    cuda |= orphans
kept = [b for b in blocks if not b["editable"] and b["name"] != "torch" and b["name"] not in cuda]

versions = {}
for b in kept:
    print(b["line"])
    versions.setdefault(b["name"], set()).add(b["line"].split("==")[1].split(";")[0].strip())
forked = sorted(n for n, v in versions.items() if len(v) > 1)
if forked:
    sys.exit(f"lock: pinned to a different version on different Pythons or platforms: {', '.join(forked)};"
             " cap them in scripts/lock.sh's constraints so one version holds everywhere")
EOF

{
  cat <<EOF
# Pinned versions for .venv, used as pip constraints by scripts/setup.sh. One universal lock
# for every Python >= 3.11 (Debian 12's 3.11.2 too) and platform: a pin that only some need
# carries an environment marker. Regenerate with scripts/lock.sh (uv pip compile --universal
# --python-version 3.11; it keeps the pins here that still fit), never with pip freeze.
# torch is not pinned below: it is installed first, on its own, as this spec (keep this line):
# torch: ${torch}
EOF
  cat "$tmp/pins.txt"
} >"$LOCK"
say "wrote $LOCK ($(grep -vc '^#' "$LOCK") pins)"

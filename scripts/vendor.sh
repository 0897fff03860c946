#!/usr/bin/env bash
# Reproduce static/vendor/ from pinned npm packages (never a CDN): `make vendor`.
# Each line of VENDORED: <npm package>@<exact version> <file inside the package> <destination folder>.
# The package's LICENSE and a VERSION file are copied next to the asset.
set -euo pipefail
cd "$(dirname "$0")/.."
VENDORED=(
  "htmx.org@2.0.11 dist/htmx.min.js static/vendor/htmx"
)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for entry in "${VENDORED[@]}"; do
  read -r spec file dest <<<"$entry"
  (cd "$work" && npm pack --silent "$spec" >/dev/null)
  tarball=$(ls "$work"/*.tgz)
  mkdir -p "$work/unpacked" "$dest"
  tar xzf "$tarball" -C "$work/unpacked"
  cp "$work/unpacked/package/$file" "$dest/"
  cp "$work/unpacked/package/LICENSE" "$dest/LICENSE"
  echo "$spec" >"$dest/VERSION"
  echo "vendored $spec $file -> $dest"
  rm -rf "$work/unpacked" "$tarball"
done

# Icons: Heroicons (MIT), only the ones the templates use, as one SVG sprite of <symbol>s
# (20 px solid set). Add a name to ICONS, run `make vendor`, then use {% icon "name" %}.
ICONS="arrow-down-tray arrow-right-start-on-rectangle arrow-up-tray bars-3 bolt check-circle clock cloud-arrow-up
document-text exclamation-triangle inbox information-circle key pencil-square plus sparkles squares-2x2 trash
user-circle user-plus users x-circle"
HEROICONS="heroicons@2.2.0"
dest=static/vendor/heroicons
(cd "$work" && npm pack --silent "$HEROICONS" >/dev/null)
mkdir -p "$work/unpacked" "$dest"
tar xzf "$work"/heroicons-*.tgz -C "$work/unpacked"
python3 - "$work/unpacked/package/20/solid" "$dest/sprite.svg" $ICONS <<'PY'
import re, sys
from pathlib import Path
source, target, names = Path(sys.argv[1]), Path(sys.argv[2]), sorted(sys.argv[3:])
symbols = []
for name in names:
    svg = (source / f"{name}.svg").read_text()
    view_box = re.search(r'viewBox="([^"]+)"', svg).group(1)
    inner = re.search(r"<svg[^>]*>(.*)</svg>", svg, re.S).group(1).strip()
    symbols.append(f'<symbol id="{name}" viewBox="{view_box}">{inner}</symbol>')
body = "\n".join(symbols)
target.write_text(f'<svg xmlns="http://www.w3.org/2000/svg">\n{body}\n</svg>\n')
PY
cp "$work/unpacked/package/LICENSE" "$dest/LICENSE"
echo "$HEROICONS (20/solid)" >"$dest/VERSION"
echo "vendored $HEROICONS sprite -> $dest"

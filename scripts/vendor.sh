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

#!/usr/bin/env bash
# Rebuilds static/vendor/govuk-frontend/ from the npm packages pinned in frontend/: GOV.UK
# Frontend's stylesheet compiled with the portal's settings (frontend/portal.scss), its
# JavaScript, and the images the stylesheet refers to. The built files are committed, so running
# the portal needs nothing but Python; tests/test_frontend.py checks them against SHA256SUMS.
set -euo pipefail
cd "$(dirname "$0")/.."

# npm ci installs exactly what frontend/package-lock.json names and refuses any package whose
# bytes do not match the lock file's integrity hash.
(cd frontend && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)

package=frontend/node_modules/govuk-frontend
version=$(node -p "require('./$package/package.json').version")
out=static/vendor/govuk-frontend
rm -rf "$out"
mkdir -p "$out"

frontend/node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps \
  --load-path=frontend/node_modules frontend/portal.scss "$out/govuk-frontend.min.css"
cp "$package/dist/govuk/govuk-frontend.min.js" "$out/"
# Only the images the stylesheet uses; the GOV.UK crown, favicons and font stay out, and so
# does the Royal Arms crest, which only the GOV.UK footer's Crown copyright line draws (the
# portal has its own footer, so nothing asks for it).
grep -o 'url("assets/[^")]*' "$out/govuk-frontend.min.css" | sed 's/^url("//' | sort -u |
  { grep -v 'govuk-crest' || true; } |
  while read -r asset; do
    mkdir -p "$out/$(dirname "$asset")"
    cp "$package/dist/govuk/$asset" "$out/$asset"
  done
# The npm package carries no licence file; its package.json names the MIT licence.
printf 'GOV.UK Frontend %s (https://github.com/alphagov/govuk-frontend)\nCopyright (c) Crown copyright, released under the %s licence.\n' \
  "$version" "$(node -p "require('./$package/package.json').license")" > "$out/NOTICE"
echo "$version" > "$out/VERSION"
(cd "$out" && find . -type f ! -name SHA256SUMS | sort | sed 's|^\./||' | xargs sha256sum > SHA256SUMS)
echo "Built GOV.UK Frontend $version into $out:"
cat "$out/SHA256SUMS"

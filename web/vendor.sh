#!/bin/sh
# vendor.sh copies the front-end libraries pinned in package-lock.json from
# node_modules (run `npm ci` first) into web/static/vendor, where go:embed
# picks them up. The copies are build output: web/static/vendor is ignored by
# git and must never be committed.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
nm="$root/node_modules"
out="$root/web/static/vendor"
if [ ! -f "$nm/leaflet/dist/leaflet.js" ] || [ ! -f "$nm/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.js" ]; then
	echo "vendor.sh: node_modules is missing Leaflet or Geoman: run 'npm ci' in $root first" >&2
	exit 1
fi
rm -rf "$out"
mkdir -p "$out/leaflet/images" "$out/geoman"
cp "$nm/leaflet/dist/leaflet.js" "$nm/leaflet/dist/leaflet.css" "$nm/leaflet/LICENSE" "$out/leaflet/"
cp "$nm/leaflet/dist/images/"*.png "$out/leaflet/images/"
cp "$nm/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.min.js" \
   "$nm/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css" \
   "$nm/@geoman-io/leaflet-geoman-free/LICENSE" "$out/geoman/"
# The minified files name source maps that are not shipped; drop the comment so
# browsers with developer tools open do not ask for them.
for f in "$out/leaflet/leaflet.js" "$out/geoman/leaflet-geoman.min.js"; do
	sed -i 's|^//# sourceMappingURL=.*$||' "$f"
done
echo "vendor.sh: copied Leaflet $(sed -n 's/.*"version": "\(.*\)".*/\1/p' "$nm/leaflet/package.json" | head -1) and Geoman $(sed -n 's/.*"version": "\(.*\)".*/\1/p' "$nm/@geoman-io/leaflet-geoman-free/package.json" | head -1) into web/static/vendor"

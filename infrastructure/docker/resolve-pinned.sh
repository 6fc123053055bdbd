#!/bin/sh
# Resolves the package's dependencies to exactly the versions pinned in PIN (a Package.resolved file,
# infrastructure/docker/dependency-pins.json), then checks that every pinned package got its pinned
# version. Used by the Dockerfile; scripts/test-infra.sh checks that the pins are the versions this
# repository's CI builds and tests with.
#
# The pins' revisions are those of the package mirror CI builds from. Where they are unknown (a build
# from the packages' public origins), each package is resolved to its pinned version by tag instead.
# Usage (in the package root): sh resolve-pinned.sh PIN
set -eu
pin="$1"
pairs() {  # identity=version per pinned package, sorted
  sed -n 's/^ *"identity" *: *"\([^"]*\)".*/id \1/p; s/^ *"version" *: *"\([^"]*\)".*/v \1/p' "$1" |
    awk '$1 == "id" { id = $2 } $1 == "v" { print id "=" $2 }' | sort
}
cp "$pin" Package.resolved
if ! swift package resolve --force-resolved-versions; then
  echo "resolve-pinned: the pinned revisions are not at the packages' origin; resolving the pinned versions by tag" >&2
  rm -f Package.resolved
  swift package resolve
  for pass in 1 2 3; do
    changed=0
    for p in $(pairs "$pin"); do
      id="${p%%=*}"; v="${p#*=}"
      if ! pairs Package.resolved | grep -qx "$id=$v"; then
        swift package resolve "$id" --version "$v"
        changed=1
      fi
    done
    [ "$changed" = 0 ] && break
  done
fi
if [ "$(pairs Package.resolved)" != "$(pairs "$pin")" ]; then
  echo "resolve-pinned: resolved versions differ from the pins in $pin:" >&2
  pairs "$pin" > /tmp/pins.want; pairs Package.resolved > /tmp/pins.got
  diff /tmp/pins.want /tmp/pins.got >&2 || true
  exit 1
fi
echo "resolve-pinned: $(pairs "$pin" | wc -l) packages at their pinned versions"

#!/usr/bin/env bash
# Puts Debian 12's python3-grpcio and what it needs beyond Ember's debian base image into DIR (default: ./debs).
# Idempotent; bin/test runs it for AwsAppEndToEndTest. The list is the dependency closure of python3-grpcio minus
# the packages of the debian base (checked by installing them into that tree with dpkg -i).
set -euo pipefail
dir="${1:-$(dirname "$(readlink -f "$0")")/debs}"
packages=(python3-grpcio python3-protobuf libprotobuf32 libabsl20220623 libc-ares2 libre2-9)
mkdir -p "$dir"
have=0
for p in "${packages[@]}"; do compgen -G "$dir/${p}_*.deb" >/dev/null && have=$((have + 1)); done
[[ $have -eq ${#packages[@]} ]] && exit 0
tmp="$(mktemp -d "$dir/.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
chmod 0777 "$tmp"  # apt's _apt user downloads into it
if ! (cd "$tmp" && apt-get download -q "${packages[@]}" >/dev/null 2>&1); then
  apt-get update -q >/dev/null
  (cd "$tmp" && apt-get download -q "${packages[@]}" >/dev/null)
fi
mv -f "$tmp"/*.deb "$dir"/

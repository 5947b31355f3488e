#!/usr/bin/env bash
# System libraries. weasyprint needs Pango (it loads libpango and libpangoft2 when imported): without them
# nothing renders, so the set-up stops with a clear message. libharfbuzz-subset0 is optional: it lets
# weasyprint subset fonts in C (about 35% faster than its Python fallback).
# Installs what is missing when running as root with apt-get (Debian/Ubuntu); otherwise says what to install.
set -u
required=(libpango-1.0-0 libpangoft2-1.0-0)
optional=(libharfbuzz-subset0)

has_library() {  # a library is there if the dynamic linker knows it, whatever packaged it
  ldconfig -p 2>/dev/null | grep -q "$1"
}
missing_packages() {
  local pkg
  for pkg in "$@"; do
    if command -v dpkg-query >/dev/null 2>&1; then
      dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
    else
      has_library "${pkg%%-[0-9]*}" || echo "$pkg"
    fi
  done
}

mapfile -t need < <(missing_packages "${required[@]}")
mapfile -t want < <(missing_packages "${optional[@]}")
todo=("${need[@]}" "${want[@]}")
if [ ${#todo[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${todo[*]}"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${todo[@]}") >/dev/null 2>&1 || true
  mapfile -t need < <(missing_packages "${required[@]}")
  mapfile -t want < <(missing_packages "${optional[@]}")
fi
if [ ${#want[@]} -gt 0 ]; then
  echo "warning: could not install ${want[*]}; reports still render, font subsetting is slower" >&2
fi
if [ ${#need[@]} -gt 0 ]; then
  if has_library libpango-1.0.so && has_library libpangoft2-1.0.so; then
    exit 0  # present under another package name
  fi
  echo "error: the reports need Pango (weasyprint loads it): install ${need[*]} (Debian/Ubuntu names)" >&2
  exit 1
fi
exit 0

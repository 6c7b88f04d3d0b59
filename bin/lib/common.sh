# shellcheck shell=bash
# Shared by bin/ember, bin/test and bin/lib/setup.sh (sourced, not run): paths, logging, the JDK.

EMBER_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export EMBER_ASSETS_DIR="${EMBER_ASSETS_DIR:-/var/cache/ember}"
export EMBER_DATA_DIR="${EMBER_DATA_DIR:-/var/lib/ember}"
EMBER_JAR="$EMBER_REPO/ember-cli/target/ember.jar"
EMBER_MIN_JAVA=21

say() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'ember: warning: %s\n' "$*" >&2; }
fail() { printf 'ember: error: %s\n' "$*" >&2; exit 1; }

# java_major JAVA_BIN: the feature version (8 for 1.8.0, 21 for 21.0.2), or nothing.
java_major() {
  local v
  v="$("$1" -version 2>&1 | sed -n '1s/.* version "\([^"]*\)".*/\1/p')"
  v="${v#1.}"
  v="${v%%[.+-]*}"
  [[ "$v" =~ ^[0-9]+$ ]] && echo "$v"
}

jdk_ok() {  # jdk_ok HOME: a JDK (java and javac) of at least EMBER_MIN_JAVA
  local major
  [[ -x "$1/bin/java" && -x "$1/bin/javac" ]] || return 1
  major="$(java_major "$1/bin/java")"
  [[ -n "$major" && "$major" -ge "$EMBER_MIN_JAVA" ]]
}

# find_jdk: exports JAVA_HOME (a JDK 21+): $JAVA_HOME, else /usr/lib/jvm/* (Temurin 25 first,
# then the newest), else the java on PATH.
find_jdk() {
  local home
  if [[ -n "${JAVA_HOME:-}" ]] && jdk_ok "$JAVA_HOME"; then
    export JAVA_HOME
    return 0
  fi
  for home in /usr/lib/jvm/temurin-25*/ $(ls -1d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    home="${home%/}"
    if jdk_ok "$home"; then
      export JAVA_HOME="$home"
      return 0
    fi
  done
  if command -v javac >/dev/null 2>&1; then
    home="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
    if jdk_ok "$home"; then
      export JAVA_HOME="$home"
      return 0
    fi
  fi
  fail "no JDK ${EMBER_MIN_JAVA} or newer found (looked at \$JAVA_HOME${JAVA_HOME:+=$JAVA_HOME}, /usr/lib/jvm/*, java on PATH).
  Install one, e.g. Eclipse Temurin 21 or 25 (package temurin-21-jdk from Adoptium's apt repository,
  or openjdk-21-jdk-headless where your distribution has it), or point JAVA_HOME at it."
}

# Sourced by ./nuri and ./run-tests: sets JAVA_HOME to a JDK 25 or newer, or explains how to get one.
# Order: $JAVA_HOME, then `java` on the PATH, then the JDKs installed in the usual system places.

nuri_java_major() { # prints the feature version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1
}

nuri_find_jdk() {
  local candidates=() c major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for c in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /Library/Java/JavaVirtualMachines/*/Contents/Home \
           "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    [ -d "$c" ] && candidates+=("$c")
  done
  for c in "${candidates[@]}"; do
    if [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ]; then
      major=$(nuri_java_major "$c/bin/java")
      if [ -n "$major" ] && [ "$major" -ge 25 ]; then
        export JAVA_HOME="$c"
        return 0
      fi
    fi
  done
  echo "nuri: needs a JDK 25 or newer and found none (checked JAVA_HOME, PATH and /usr/lib/jvm). Install one, e.g. 'apt-get install temurin-25-jdk' or from https://adoptium.net, then set JAVA_HOME to it." >&2
  return 1
}

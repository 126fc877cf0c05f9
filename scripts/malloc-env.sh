# Sourced by scripts/jtorch and scripts/bench: the one reader of native/malloc.env.
# malloc_env ROOT [OPTION...] prints each NAME=VALUE line of ROOT/native/malloc.env whose NAME the
# caller has not set (a variable the caller set wins). Where the JVM options (the remaining
# arguments) hold -Djtorch.mallocTuning=false, the mmap and trim thresholds are left out of
# GLIBC_TUNABLES, so that the property keeps glibc's own thresholds as it does inside the JVM.
malloc_env() {
  local name value root="$1"
  shift
  while IFS='=' read -r name value; do
    if [ "$name" = GLIBC_TUNABLES ] && [[ " $* " == *" -Djtorch.mallocTuning=false "* ]]; then
      value="$(printf '%s' "$value" | tr ':' '\n' | grep -v '^glibc\.malloc\.\(mmap\|trim\)_threshold=' | paste -sd:)"
    fi
    [ -z "${!name+x}" ] && printf '%s=%s\n' "$name" "$value"
  done < <(grep -v '^\s*#' "$root/native/malloc.env" | sed '/^\s*$/d')
  return 0
}

# Sourced by scripts/jtorch and scripts/bench: the one reader of native/malloc.env.
# malloc_env ROOT prints each NAME=VALUE line of ROOT/native/malloc.env whose NAME the caller has
# not set (a variable the caller set wins).
malloc_env() {
  local name value
  while IFS='=' read -r name value; do
    [ -z "${!name+x}" ] && printf '%s=%s\n' "$name" "$value"
  done < <(grep -v '^\s*#' "$1/native/malloc.env" | sed '/^\s*$/d')
  return 0
}

# Sourced by scripts/jtorch and scripts/bench. blas_env OPTION... prints OPENBLAS_CORETYPE=... and
# JTORCH_BLAS_CORE_REPLACED=... when the environment pins a pre-AVX-512 OpenBLAS kernel on a CPU
# with AVX-512 F/CD/BW/DQ/VL, nothing otherwise.
#
# The same rule as dev.jtorch.internal.Blas.override, applied before java starts (docs/design.md,
# "The right BLAS kernel" and "Start-up"): jtorch would otherwise change the variable from inside
# the JVM through libc setenv, and JNA costs ~0.1 s of CPU at every start. Where the JVM options
# (the arguments, e.g. native/jvm.options and $JAVA_OPTS) name -Djtorch.blasCore, Java decides.
blas_env() {
  local cur="${OPENBLAS_CORETYPE:-}" flags f
  [ -n "$cur" ] || return 0
  case "$(printf '%s' "$cur" | tr '[:upper:]' '[:lower:]' | tr -d '[:space:]')" in
    skylakex|cooperlake|sapphirerapids) return 0 ;;
  esac
  [[ " $* " == *"-Djtorch.blasCore="* ]] && return 0
  flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | tr '[:upper:]' '[:lower:]') "
  for f in avx512f avx512cd avx512bw avx512dq avx512vl; do
    [[ "$flags" == *" $f "* ]] || return 0
  done
  if [[ "$flags" == *" avx512_bf16 "* ]]; then echo "OPENBLAS_CORETYPE=Cooperlake"; else echo "OPENBLAS_CORETYPE=SkylakeX"; fi
  echo "JTORCH_BLAS_CORE_REPLACED=$cur"
  return 0
}

#!/bin/bash
# A stand-in for `jobcell run --slurm' in the plugin's tests (never
# installed): it reports on stderr what the plugin handed over, then drops
# the runner's capabilities and runs the job's command with the job's
# environment, unsandboxed.
#   jobcell-stub: argv: run --slurm --spec-fd=N --env-fd=M --cell=J.S ...
#   jobcell-stub: environ: PATH=...          (what execve gave it)
#   jobcell-stub: uid=U task=SLURM_PROCID vars=N
#   jobcell-stub: caps: CapPrm=.. CapEff=.. CapInh=.. CapAmb=.. securebits=N
#   jobcell-stub: spec: {...}
#   jobcell-stub: fds: 0 1 2 N M              (open descriptors)
#   jobcell-stub: env: NAME=VALUE              (only for names in $STUB_SHOW)
say() { printf 'jobcell-stub: %s\n' "$*" >&2; }

# Before bash adds its own variables: what the plugin's execve passed.
say "environ: $(tr '\0' ' ' </proc/$$/environ)"
say "argv: $*"
fds=$(cd /proc/$$/fd && for f in $(ls | sort -n); do printf "%s=%s " "$f" "$(readlink "$f")"; done)
spec_fd= env_fd=
[ "$1" = run ] && shift
while [ $# -gt 0 ]; do
        case $1 in
        --spec-fd=*) spec_fd=${1#*=} ;;
        --env-fd=*) env_fd=${1#*=} ;;
        --) shift; break ;;
        esac
        shift
done
[ -n "$spec_fd" ] && [ -n "$env_fd" ] || { say "missing --spec-fd or --env-fd"; exit 125; }
spec=$(cat <&"$spec_fd")
vars=()
while IFS= read -r -d '' kv; do vars+=("$kv"); done <&"$env_fd"
exec {spec_fd}<&- {env_fd}<&-
procid=
show=
for kv in "${vars[@]}"; do
        case $kv in
        SLURM_PROCID=*) procid=${kv#*=} ;;
        STUB_SHOW=*) show=${kv#*=} ;;
        esac
done
say "uid=$(id -u) task=$procid vars=${#vars[@]}"
caps=$(awk '/^Cap(Prm|Eff|Inh|Amb):/ {printf "%s=%s ", substr($1, 1, length($1) - 1), $2}' /proc/$$/status)
say "caps: $caps$("${0%/*}/jcprobe" securebits 2>/dev/null)"
say "spec: $spec"
say "fds: $fds"
for kv in "${vars[@]}"; do
        for name in $show; do
                [ "${kv%%=*}" = "$name" ] && say "env: $kv"
        done
done
# The capabilities and the securebit were the runner's: never the job's.
exec setpriv --securebits=-no_setuid_fixup --inh-caps=-all --ambient-caps=-all -- env -i "${vars[@]}" "$@"

#!/usr/bin/env bash
# Copies the one shared body, cluster/sbatch-body.sh, into the batch templates one-node.sbatch,
# multi-node.sbatch and array.sbatch: each template keeps its lines up to and including its marker
# line (its notes and #SBATCH options) and gets the body after it, with the "#@ if" sections meant
# for it (see sbatch-body.sh).
#
#   bash cluster/sync-templates.sh           # rewrite the templates whose copy differs
#   bash cluster/sync-templates.sh --check   # change nothing; exit 1 with a diff if one differs
#
# The test slurm.templates runs --check. Exit codes: 0 up to date (or rewritten), 1 a copy differs
# (--check), 2 bad usage or a malformed body or template.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
body=${here}/sbatch-body.sh
templates=(one-node multi-node array)
marker="# ---- The rest is cluster/sbatch-body.sh, copied by cluster/sync-templates.sh: edit it there ----"

die() {
  echo "sync-templates.sh: $*" >&2
  exit 2
}

check=0
case "${1:-}" in
  "") ;;
  --check) check=1 ;;
  -h | --help)
    sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *) die "unknown argument '$1' (--check or nothing)" ;;
esac
[[ $# -le 1 ]] || die "one argument at most"
[[ -r "${body}" ]] || die "${body} not found"

# render NAME: the body as template NAME.sbatch gets it.
render() {
  awk -v name="$1" -v known="${templates[*]}" -v file="${body}" '
    function bad(msg) { printf "sync-templates.sh: %s:%d: %s\n", file, NR, msg > "/dev/stderr"; failed = 1; exit 2 }
    BEGIN { split(known, k, " "); for (i in k) is_known[k[i]] = 1 }
    !begun { if ($0 == "#@ begin") begun = 1; next }
    /^#@/ {
      n = split($0, w, /[ \t]+/)
      if (w[2] == "if" && n >= 3) {
        if (section != "") bad("\"#@ if\" inside an \"#@ if\" section (no nesting)")
        section = "if"; keep = 0
        for (i = 3; i <= n; i++) {
          if (!(w[i] in is_known)) bad("unknown template \"" w[i] "\" (known: " known ")")
          if (w[i] == name) keep = 1
        }
      } else if (w[2] == "else" && n == 2) {
        if (section != "if") bad("\"#@ else\" without \"#@ if\"")
        section = "else"; keep = !keep
      } else if (w[2] == "end" && n == 2) {
        if (section == "") bad("\"#@ end\" without \"#@ if\"")
        section = ""
      } else bad("unknown directive \"" $0 "\"")
      next
    }
    section == "" || keep { print }
    END {
      if (failed) exit 2
      if (!begun) bad("no \"#@ begin\" line")
      if (section != "") bad("\"#@ " section "\" section not closed by \"#@ end\"")
    }' "${body}"
}

stale=()
tmp=$(mktemp -d)
trap 'rm -rf "${tmp}"' EXIT
for name in "${templates[@]}"; do
  file=${here}/${name}.sbatch
  [[ -r "${file}" ]] || die "${file} not found"
  lines=$(grep -nxF -- "${marker}" "${file}" | cut -d: -f1) || true
  [[ -n "${lines}" ]] || die "${file} has no marker line: ${marker}"
  [[ "${lines}" != *$'\n'* ]] || die "${file} has the marker line more than once (lines ${lines//$'\n'/, })"
  { head -n "${lines}" "${file}" && render "${name}"; } >"${tmp}/${name}.sbatch" || die "cannot render ${name}.sbatch"
  cmp -s "${tmp}/${name}.sbatch" "${file}" && continue
  stale+=("${name}.sbatch")
  if ((check)); then
    diff -u --label "cluster/${name}.sbatch" --label "cluster/${name}.sbatch as sbatch-body.sh gives it" \
      "${file}" "${tmp}/${name}.sbatch" >&2 || true
  else
    cat "${tmp}/${name}.sbatch" >"${file}" # in place: the file keeps its mode
    echo "sync-templates.sh: rewrote cluster/${name}.sbatch"
  fi
done
if ((check && ${#stale[@]} > 0)); then
  echo "sync-templates.sh: out of date with cluster/sbatch-body.sh: ${stale[*]} (diff above); edit the" \
    "body there and run 'bash cluster/sync-templates.sh'" >&2
  exit 1
fi
if ((${#stale[@]} == 0)); then
  echo "sync-templates.sh: ${templates[*]/%/.sbatch} match cluster/sbatch-body.sh"
fi

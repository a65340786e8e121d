#!/usr/bin/env bash
# The private data store in the daily workflow: a checkout of the operator's
# private repository (LINDUNG_DATA_REPO) in data-privat/, reached with a
# deploy key (LINDUNG_DATA_KEY, write access to that repository only).
#   scripts/data-privat.sh ambil    clone it (refuses a repository anyone can read)
#   scripts/data-privat.sh simpan   commit what the pull wrote, and push
# The daily workflow's pull jobs (one per province or group) push to the same
# repository at once: a push that finds the branch moved is rebased onto it
# and tried again. Each job writes only its own kecamatan's files, so the
# rebase never meets a conflict.
# Row-level data never touches the public repository: its git history is
# the audit trail of every sheet, readable only by those the operator grants.
set -euo pipefail
store="${LINDUNG_STORE:-data-privat}"

if [ -n "${LINDUNG_DATA_KEY:-}" ]; then
  keyfile="$(mktemp)"
  trap 'rm -f "$keyfile"' EXIT
  printf '%s\n' "$LINDUNG_DATA_KEY" > "$keyfile"
  chmod 600 "$keyfile"
  export GIT_SSH_COMMAND="ssh -i $keyfile -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new"
fi

public_on_github() {
  # A repository GitHub shows to anyone without a token is public.
  local name
  name="$(printf '%s' "$1" | sed -nE 's#^(git@github\.com:|https://github\.com/|ssh://git@github\.com/)([^/]+/[^/]+)$#\2#p')"
  name="${name%.git}"
  [ -n "$name" ] || return 1
  [ "$(curl -s -o /dev/null -w '%{http_code}' "https://api.github.com/repos/$name")" = "200" ]
}

case "${1:-}" in
  ambil)
    if [ -z "${LINDUNG_DATA_REPO:-}" ]; then
      echo "::error::LINDUNG_DATA_REPO belum diisi: buat repositori data privat dan isi alamatnya di Settings → Secrets and variables → Actions → Variables (lihat docs/operator.md)." >&2
      exit 2
    fi
    if public_on_github "$LINDUNG_DATA_REPO"; then
      echo "::error::Repositori data bisa dibaca siapa saja. Jadikan privat dulu (Settings → General → Danger Zone); data per baris tidak ditarik ke repositori publik." >&2
      exit 2
    fi
    # Only the newest state: the history is for people reading the audit
    # trail, and every pull job clones it.
    git clone --quiet --depth 1 "$LINDUNG_DATA_REPO" "$store" 2>/dev/null || {
      echo "::error::Repositori data tidak bisa di-clone; periksa LINDUNG_DATA_REPO dan deploy key LINDUNG_DATA_KEY." >&2
      exit 2
    }
    ;;
  simpan)
    cd "$store"
    mkdir -p snapshots laporan
    git add -A snapshots laporan
    if git diff --cached --quiet; then
      echo "Tidak ada perubahan data."
      exit 0
    fi
    bot=(-c user.name=lindung-bot -c user.email=lindung-bot@users.noreply.github.com)
    git "${bot[@]}" commit -q -m "Data $(TZ=Asia/Jakarta date '+%Y-%m-%d %H:%M') WIB"
    branch="$(git symbolic-ref --short HEAD)"
    for attempt in 1 2 3 4 5 6 7 8 9 10; do
      if git push --quiet origin "HEAD:$branch" 2>/dev/null; then
        exit 0
      fi
      sleep "$((attempt + RANDOM % 3))"  # apart from the other jobs retrying
      git "${bot[@]}" pull --quiet --rebase origin "$branch"
    done
    echo "::error::Data store tidak bisa di-push ke repositori data setelah 10 kali; periksa deploy key LINDUNG_DATA_KEY (izin tulis)." >&2
    exit 1
    ;;
  *)
    echo "pakai: scripts/data-privat.sh ambil|simpan" >&2
    exit 2
    ;;
esac

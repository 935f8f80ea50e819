#!/usr/bin/env bash
# Install (or upgrade) replyclock as a systemd service. Running it again is harmless:
# the virtualenv is reused and upgraded, the config and the credentials are never
# overwritten, the unit and the command wrapper are replaced with this version's.
#
#   sudo deploy/install.sh                 # from a checkout of the repository
#   sudo deploy/install.sh --start         # and (re)start the service
#
# Layout:
#   /opt/replyclock/venv/            the virtualenv with replyclock and its pinned dependencies
#   /etc/replyclock/config.yaml      the config (from deploy/config.example.yaml the first time)
#   /etc/replyclock/credentials/     one file per secret, root only; systemd hands them over
#   /etc/systemd/system/replyclock.service
#   /usr/local/bin/replyclock        runs the CLI with the service's config (status, report, act …)
#   /var/lib/replyclock/             the service's state: SQLite database, status.json (made by systemd)
#
# Options:
#   --root DIR         install under DIR instead of / (packaging, tests); no systemctl calls
#   --python PATH      the Python 3.11+ that creates the virtualenv (default: python3)
#   --pip-args "ARGS"  extra arguments for pip install, e.g. "--no-index --find-links /srv/wheels"
#   --package SPEC     what pip installs (default: this checkout; a built replyclock wheel works too)
#   --start            enable and (re)start the service when done
set -euo pipefail

ROOT=""
PYTHON=python3
PIP_ARGS=""
START=""
PACKAGE=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --root) ROOT=${2%/}; shift 2 ;;
    --python) PYTHON=$2; shift 2 ;;
    --pip-args) PIP_ARGS=$2; shift 2 ;;
    --package) PACKAGE=$2; shift 2 ;;
    --start) START=1; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

SRC=$(cd "$(dirname "$0")/.." && pwd)
PACKAGE=${PACKAGE:-$SRC}
PREFIX=$ROOT/opt/replyclock
VENV=$PREFIX/venv
ETC=$ROOT/etc/replyclock
CREDS=$ETC/credentials
UNIT_DIR=$ROOT/etc/systemd/system
BIN_DIR=$ROOT/usr/local/bin
CREDENTIAL_NAMES=(x_bearer_token fb_page_token slack_bot_token slack_app_token pg_password)

if [[ -z $ROOT && $(id -u) -ne 0 ]]; then
  echo "install.sh: run as root (sudo), or pass --root DIR to stage an install" >&2
  exit 1
fi
umask 022
say() { printf '==> %s\n' "$*"; }

say "virtualenv $VENV"
mkdir -p "$PREFIX"
if [[ ! -x $VENV/bin/python ]]; then
  "$PYTHON" -m venv "$VENV"
fi
# torch from PyPI would be a CUDA build of several GB: the CPU index serves the pinned CPU wheel.
# shellcheck disable=SC2086
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
  --extra-index-url https://download.pytorch.org/whl/cpu $PIP_ARGS --upgrade "$PACKAGE"
if [[ -n $ROOT ]]; then
  # pip writes the staging path into every script's #! line (and activate's VIRTUAL_ENV): a staged
  # tree copied to / would fail ExecStart= with 203/EXEC. Point them where the tree will live.
  for script in "$VENV"/bin/*; do
    if [[ -f $script && ! -L $script ]] && grep -qIF "$VENV" "$script"; then
      sed -i "s|$VENV|/opt/replyclock/venv|g" "$script"
    fi
  done
fi

say "documentation $PREFIX/docs"
mkdir -p "$PREFIX/docs"
install -m 0644 "$SRC/docs/deploy.md" "$PREFIX/docs/deploy.md"

say "config $ETC"
install -d -m 0755 "$ETC"
if [[ -e $ETC/config.yaml ]]; then
  echo "    keeping $ETC/config.yaml; this version's example: $ETC/config.example.yaml"
else
  install -m 0644 "$SRC/deploy/config.example.yaml" "$ETC/config.yaml"
  echo "    wrote $ETC/config.yaml: edit it, then put the tokens into $CREDS/"
fi
install -m 0644 "$SRC/deploy/config.example.yaml" "$ETC/config.example.yaml"

say "credentials $CREDS (root only)"
install -d -m 0700 "$CREDS"
for name in "${CREDENTIAL_NAMES[@]}"; do
  # LoadCredential= fails the start when a file is missing: an empty file is fine until the
  # config refers to it (then check-config names the empty file and exits 78).
  if [[ ! -e $CREDS/$name ]]; then
    install -m 0600 /dev/null "$CREDS/$name"
  fi
  chmod 0600 "$CREDS/$name"
done

say "unit $UNIT_DIR/replyclock.service"
install -d -m 0755 "$UNIT_DIR" "$BIN_DIR"
install -m 0644 "$SRC/deploy/replyclock.service" "$UNIT_DIR/replyclock.service"

say "command $BIN_DIR/replyclock"
cat >"$BIN_DIR/replyclock.tmp" <<'EOF'
#!/bin/sh
# replyclock's CLI with the service's config, credentials and state (installed by deploy/install.sh).
# The database belongs to the service's dynamic user: run it with sudo.
: "${REPLYCLOCK_CONFIG:=/etc/replyclock/config.yaml}"
: "${CREDENTIALS_DIRECTORY:=/etc/replyclock/credentials}"
: "${STATE_DIRECTORY:=/var/lib/replyclock}"
# the service's model cache: `sudo replyclock model download ID` fills it and hands it to the service's user
: "${HF_HOME:=/var/lib/replyclock/huggingface}"
# check-config names a LoadCredential= file of the unit that is missing (systemd would fail the start: 243)
: "${REPLYCLOCK_UNIT:=/etc/systemd/system/replyclock.service}"
export REPLYCLOCK_CONFIG CREDENTIALS_DIRECTORY STATE_DIRECTORY HF_HOME REPLYCLOCK_UNIT
exec /opt/replyclock/venv/bin/replyclock "$@"
EOF
chmod 0755 "$BIN_DIR/replyclock.tmp"
mv -f "$BIN_DIR/replyclock.tmp" "$BIN_DIR/replyclock"

if [[ -n $ROOT ]]; then
  say "staged under $ROOT (no systemctl calls)"
  exit 0
fi
if [[ -d /run/systemd/system ]]; then
  systemctl daemon-reload
  systemctl enable replyclock.service >/dev/null
  if [[ -n $START ]]; then
    say "restarting replyclock"
    systemctl restart replyclock.service
    systemctl --no-pager status replyclock.service || true
  elif systemctl is-active --quiet replyclock.service; then
    echo "    replyclock is running the previous version: systemctl restart replyclock"
  fi
else
  echo "    systemd is not running here: start replyclock some other way" >&2
fi
cat <<EOF
==> next steps
    1. edit $ETC/config.yaml and put each token into its file in $CREDS/
    2. sudo replyclock check-config
    3. sudo systemctl start replyclock && journalctl -u replyclock -f
    4. sudo replyclock status
EOF

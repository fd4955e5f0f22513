# Sourced by scripts/test.sh, scripts/start.sh and .ci/run: pnpm at the pinned
# version, native builds against Node's headers, and a frozen install.
PNPM_VERSION=12.4.2
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "Installing pnpm $PNPM_VERSION…" >&2
  npm install -g "pnpm@$PNPM_VERSION" >&2
fi
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
pnpm install --frozen-lockfile >&2

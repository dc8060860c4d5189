#!/usr/bin/env bash
# Finds (or builds) the Terraform-compatible CLI used by `make test` and
# `make demo`.
#
# Usage:
#   scripts/terraform-cli.sh          print the absolute path of the CLI (one line)
#   scripts/terraform-cli.sh --env    print `export` lines for the test harness:
#                                       TF_ACC_TERRAFORM_PATH=<path>
#                                       TF_ACC_PROVIDER_NAMESPACE=hashicorp (OpenTofu only)
#
# Only the result goes to stdout; progress and reasons go to stderr. On failure
# nothing is printed on stdout and the exit status is non-zero, so callers must
# check it, e.g.:
#   tf_env="$(scripts/terraform-cli.sh --env)" && eval "$tf_env"
# (a bare `eval "$(scripts/terraform-cli.sh --env)"` would swallow the failure).
#
# Resolution order:
#   1. $APPXCHANGE_TF_CLI, if set (must be an executable file);
#   2. `terraform` on PATH, if its version is >= 1.11 (write-only attributes);
#   3. `tofu` on PATH, if its version is >= 1.11;
#   4. OpenTofu 1.12.6 built from the Go module proxy via tools/opentofu and
#      cached at ${APPXCHANGE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-appxchange}/opentofu-1.12.6/tofu.
# Nothing is ever downloaded from release sites.

set -euo pipefail

readonly MIN_MAJOR=1
readonly MIN_MINOR=11
readonly TOFU_VERSION=1.12.6
readonly TOFU_PKG=github.com/opentofu/opentofu/cmd/tofu

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/.." && pwd)"
readonly script_dir repo_root
readonly wrapper_dir="${repo_root}/tools/opentofu"

log() {
	printf 'terraform-cli: %s\n' "$*" >&2
}

die() {
	log "ERROR: $*"
	exit 1
}

usage() {
	printf 'usage: %s [--env]\n' "$0" >&2
}

mode='path'
case "$#:${1:-}" in
0:) ;;
1:--env) mode='env' ;;
1:-h | 1:--help)
	usage
	exit 0
	;;
*)
	usage
	exit 2
	;;
esac

# Set by probe_version: "terraform" or "opentofu", and "<major>.<minor>.<patch>".
cli_kind=""
cli_version=""

# probe_version CLI: runs `CLI version` and parses the first
# "Terraform vX.Y.Z" / "OpenTofu vX.Y.Z" it reports. The CLI config file is
# neutralised because a TF_CLI_CONFIG_FILE pointing to a missing file makes
# the CLI print warnings (OpenTofu even on stdout); checkpoint is disabled so
# terraform does not try to reach the network.
probe_version() {
	local cli="$1" out line
	cli_kind=""
	cli_version=""
	if ! out="$(env -u TF_CLI_CONFIG_FILE -u TERRAFORM_CONFIG -u TOFU_CLI_CONFIG_FILE \
		CHECKPOINT_DISABLE=1 "$cli" version 2>&1 </dev/null)"; then
		log "'${cli} version' failed: ${out}"
		return 1
	fi
	line="$(printf '%s\n' "$out" | grep -Eo '^(Terraform|OpenTofu) v[0-9]+\.[0-9]+\.[0-9]+' | head -n 1 || true)"
	case "$line" in
	Terraform\ v*) cli_kind=terraform ;;
	OpenTofu\ v*) cli_kind=opentofu ;;
	*)
		log "could not parse the version reported by '${cli} version': ${out}"
		return 1
		;;
	esac
	cli_version="${line#* v}"
}

# version_ok VERSION: true when VERSION (X.Y.Z) >= MIN_MAJOR.MIN_MINOR.
version_ok() {
	local major minor rest
	IFS=. read -r major minor rest <<<"$1"
	[[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || return 1
	((10#$major > MIN_MAJOR || (10#$major == MIN_MAJOR && 10#$minor >= MIN_MINOR)))
}

# abs_path PATH: absolute form of PATH without resolving symlinks (version
# managers' shims and multi-call binaries depend on the name they are run as).
abs_path() {
	case "$1" in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$(pwd)" "$1" ;;
	esac
}

# try_path_cli NAME: sets `cli` when NAME on PATH is usable.
try_path_cli() {
	local name="$1" found
	if ! found="$(command -v -- "$name" 2>/dev/null)" || [[ "$found" != */* ]]; then
		log "no '${name}' on PATH"
		return 1
	fi
	found="$(abs_path "$found")"
	if [[ ! -f "$found" || ! -x "$found" ]]; then
		log "'${found}' is not an executable file; skipping it"
		return 1
	fi
	if ! probe_version "$found"; then
		log "skipping '${found}'"
		return 1
	fi
	if ! version_ok "$cli_version"; then
		log "skipping '${found}': version ${cli_version} < ${MIN_MAJOR}.${MIN_MINOR} (write-only attributes need >= ${MIN_MAJOR}.${MIN_MINOR})"
		return 1
	fi
	cli="$found"
}

build_dir=""
build_tmp=""
cleanup() {
	if [[ -n "$build_tmp" ]]; then
		rm -f -- "$build_tmp"
	fi
	if [[ -n "$build_dir" ]]; then
		rm -rf -- "$build_dir"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

build_failed() {
	die "no Terraform-compatible CLI could be had: no terraform/tofu >= ${MIN_MAJOR}.${MIN_MINOR} on PATH and building OpenTofu ${TOFU_VERSION} from the Go module proxy failed: $*"
}

# build_tofu DEST: builds OpenTofu into DEST atomically (temp file + mv).
build_tofu() {
	local dest="$1" dest_dir start elapsed go_bin
	dest_dir="$(dirname "$dest")"

	go_bin="$(command -v go 2>/dev/null)" || build_failed "'go' is not on PATH"
	[[ -f "${wrapper_dir}/go.mod" ]] || build_failed "wrapper module ${wrapper_dir}/go.mod is missing"
	mkdir -p -- "$dest_dir" || build_failed "cannot create ${dest_dir}"

	# Build from a temp copy of the wrapper module so the repository is never
	# modified (GOFLAGS=-mod=mod may rewrite go.mod/go.sum).
	build_dir="$(mktemp -d "${TMPDIR:-/tmp}/appxchange-opentofu.XXXXXX")"
	cp -- "${wrapper_dir}/go.mod" "${build_dir}/go.mod"
	if [[ -f "${wrapper_dir}/go.sum" ]]; then
		cp -- "${wrapper_dir}/go.sum" "${build_dir}/go.sum"
	fi
	# Same directory as the destination, so the final mv is an atomic rename.
	build_tmp="$(mktemp "${dest_dir}/.tofu.build.XXXXXX")"

	log "building OpenTofu ${TOFU_VERSION} from the Go module proxy with ${go_bin} (takes a few minutes; cached afterwards)..."
	start=$SECONDS
	if ! (
		cd "$build_dir" &&
			GOWORK=off GOFLAGS='-mod=mod -buildvcs=false' CGO_ENABLED=0 \
				"$go_bin" build -trimpath \
				-ldflags '-s -w -X github.com/opentofu/opentofu/version.dev=no' \
				-o "$build_tmp" "$TOFU_PKG"
	) >&2; then
		build_failed "'go build ${TOFU_PKG}' failed (see the output above; offline machines need GOPROXY to reach the Go module proxy)"
	fi
	elapsed=$((SECONDS - start))

	if ! probe_version "$build_tmp"; then
		build_failed "the freshly built binary does not run"
	fi
	if [[ "$cli_kind" != opentofu || "$cli_version" != "$TOFU_VERSION" ]]; then
		build_failed "the freshly built binary reports ${cli_kind} ${cli_version}, expected OpenTofu ${TOFU_VERSION}"
	fi
	chmod 0755 "$build_tmp"
	mv -f -- "$build_tmp" "$dest" || build_failed "cannot move the binary to ${dest}"
	build_tmp=""
	log "built OpenTofu ${TOFU_VERSION} in ${elapsed}s: ${dest}"
}

resolve_cached_tofu() {
	local cache_dir dest lock
	if [[ -n "${APPXCHANGE_CACHE_DIR:-}" ]]; then
		cache_dir="$APPXCHANGE_CACHE_DIR"
	elif [[ -n "${XDG_CACHE_HOME:-}" ]]; then
		cache_dir="${XDG_CACHE_HOME}/terraform-provider-appxchange"
	else
		[[ -n "${HOME:-}" ]] || build_failed "neither APPXCHANGE_CACHE_DIR, XDG_CACHE_HOME nor HOME is set"
		cache_dir="${HOME}/.cache/terraform-provider-appxchange"
	fi
	cache_dir="$(abs_path "$cache_dir")"
	dest="${cache_dir}/opentofu-${TOFU_VERSION}/tofu"

	if [[ ! -x "$dest" ]]; then
		mkdir -p -- "$(dirname "$dest")" || build_failed "cannot create $(dirname "$dest")"
		lock="$(dirname "$dest")/.build.lock"
		if command -v flock >/dev/null 2>&1; then
			# Serialise concurrent builds; the loser reuses the winner's binary.
			exec 9>"$lock"
			if ! flock -n 9; then
				log "another OpenTofu build is running; waiting for ${lock}..."
				flock 9
			fi
		fi
		if [[ ! -x "$dest" ]]; then
			build_tofu "$dest"
		fi
	fi
	cli="$dest"
	cli_kind=opentofu
	cli_version="$TOFU_VERSION"
}

cli=""
if [[ -n "${APPXCHANGE_TF_CLI:-}" ]]; then
	cli="$(abs_path "$APPXCHANGE_TF_CLI")"
	[[ -f "$cli" && -x "$cli" ]] || die "APPXCHANGE_TF_CLI=${APPXCHANGE_TF_CLI} is not an executable file"
	log "using APPXCHANGE_TF_CLI=${cli}"
	if [[ "$mode" == env ]]; then
		probe_version "$cli" || die "cannot tell whether APPXCHANGE_TF_CLI=${cli} is Terraform or OpenTofu"
	fi
elif try_path_cli terraform; then
	log "using ${cli_kind} ${cli_version} from PATH: ${cli}"
elif try_path_cli tofu; then
	log "using ${cli_kind} ${cli_version} from PATH: ${cli}"
else
	resolve_cached_tofu
	log "using OpenTofu ${TOFU_VERSION}: ${cli}"
fi

# shell_quote VALUE: single-quoted for any POSIX shell (make runs /bin/sh).
shell_quote() {
	local q="'\\''"
	printf "'%s'" "${1//\'/$q}"
}

if [[ "$mode" == env ]]; then
	printf 'export TF_ACC_TERRAFORM_PATH=%s\n' "$(shell_quote "$cli")"
	if [[ "$cli_kind" == opentofu ]]; then
		printf 'export TF_ACC_PROVIDER_NAMESPACE=hashicorp\n'
	fi
else
	printf '%s\n' "$cli"
fi

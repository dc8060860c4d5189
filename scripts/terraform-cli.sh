#!/usr/bin/env bash
# Finds (or builds) the Terraform-compatible CLI of one of the roles the
# acceptance suite runs on: `make test` and `make demo`/`make generate`/
# `make bench` use the newest, `make test-matrix` all three.
#
# Usage:
#   scripts/terraform-cli.sh [--env] [ROLE]
#     without --env   print the absolute path of the CLI (one line)
#     --env           print `export` lines for the test harness:
#                       TF_ACC_TERRAFORM_PATH=<path>
#                       TF_ACC_PROVIDER_NAMESPACE=hashicorp (OpenTofu only)
#
# ROLE (default: newest), each tried in this order:
#   newest          1. $APPXCHANGE_TF_CLI, if set (must be an executable file);
#                   2. `terraform` on PATH, if it is Terraform >= 1.14 (resource
#                      identity, list resources and `terraform query`), and not
#                      one of the broken versions below;
#                   3. Terraform 1.16.4 built from the Go module proxy.
#   terraform-1.11  the oldest supported Terraform (write-only attributes came in 1.11):
#                   1. `terraform` on PATH, if it is Terraform 1.11.x;
#                   2. Terraform 1.11.4 built from the Go module proxy.
#   opentofu        1. `tofu` on PATH, if it is OpenTofu 1.12.x;
#                   2. OpenTofu 1.12.6 built from the Go module proxy via tools/opentofu.
#
# Builds are cached under
#   ${APPXCHANGE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-appxchange}
# as terraform-<version>/terraform and opentofu-<version>/tofu; a build takes
# 2 to 6 minutes on two cores with cold Go caches (about 13 for the three).
# Nothing is ever downloaded from release sites.
#
# Only the result goes to stdout; which CLI was chosen and why, and build
# progress, go to stderr. On failure nothing is printed on stdout and the exit
# status is non-zero, so callers must check it, e.g.:
#   tf_env="$(scripts/terraform-cli.sh --env)" && eval "$tf_env"
# (a bare `eval "$(scripts/terraform-cli.sh --env)"` would swallow the failure).

set -euo pipefail

# The newest Terraform, built when PATH has no Terraform >= 1.14. It is the
# newest version the Go module proxy serves that builds and works for us:
# 1.16.0 to 1.16.2 are avoided (and refused on PATH) because their
# `-generate-config-out` ignores required_providers for import blocks
# (hashicorp/terraform#39144).
readonly TF_NEWEST_VERSION=1.16.4
# A `terraform` on PATH serves as the newest only from this version on.
readonly TF_NEWEST_MIN=1.14
# The oldest supported Terraform: write-only attributes came in 1.11.
readonly TF_OLDEST_VERSION=1.11.4
readonly TF_MODULE=github.com/hashicorp/terraform
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
	printf 'usage: %s [--env] [newest|terraform-1.11|opentofu]\n' "$0" >&2
}

mode='path'
role=''
for arg in "$@"; do
	case "$arg" in
	--env) mode='env' ;;
	-h | --help)
		usage
		exit 0
		;;
	newest | terraform-1.11 | opentofu)
		if [[ -n "$role" ]]; then
			usage
			exit 2
		fi
		role="$arg"
		;;
	*)
		log "unknown argument '${arg}'"
		usage
		exit 2
		;;
	esac
done
role="${role:-newest}"
readonly mode role

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

# kind_name KIND: "Terraform" or "OpenTofu".
kind_name() {
	case "$1" in
	terraform) printf 'Terraform' ;;
	opentofu) printf 'OpenTofu' ;;
	*) printf '%s' "$1" ;;
	esac
}

# version_ge VERSION MIN: true when VERSION (X.Y.Z) >= MIN (X.Y or X.Y.Z).
version_ge() {
	local a b i
	IFS=. read -r -a a <<<"$1"
	IFS=. read -r -a b <<<"$2"
	for i in 0 1 2; do
		[[ "${a[i]:-0}" =~ ^[0-9]+$ && "${b[i]:-0}" =~ ^[0-9]+$ ]] || return 1
		if ((10#${a[i]:-0} != 10#${b[i]:-0})); then
			((10#${a[i]:-0} > 10#${b[i]:-0}))
			return
		fi
	done
}

# same_minor VERSION X.Y: true when VERSION is X.Y.<anything>.
same_minor() {
	[[ "$1" == "$2".* ]]
}

# abs_path PATH: absolute form of PATH without resolving symlinks (version
# managers' shims and multi-call binaries depend on the name they are run as).
abs_path() {
	case "$1" in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$(pwd)" "$1" ;;
	esac
}

# path_cli NAME: sets `found`, cli_kind and cli_version when NAME on PATH is an
# executable file that reports its version.
found=""
path_cli() {
	local name="$1"
	found=""
	if ! found="$(command -v -- "$name" 2>/dev/null)" || [[ "$found" != */* ]]; then
		log "no '${name}' on PATH"
		found=""
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

# Set by the resolve_* functions: the CLI and why it was chosen.
cli=""
why=""
building=""

build_failed() {
	die "no CLI for the role '${role}': building ${building} from the Go module proxy failed: $*"
}

cache_root() {
	local dir
	if [[ -n "${APPXCHANGE_CACHE_DIR:-}" ]]; then
		dir="$APPXCHANGE_CACHE_DIR"
	elif [[ -n "${XDG_CACHE_HOME:-}" ]]; then
		dir="${XDG_CACHE_HOME}/terraform-provider-appxchange"
	else
		[[ -n "${HOME:-}" ]] || build_failed "neither APPXCHANGE_CACHE_DIR, XDG_CACHE_HOME nor HOME is set"
		dir="${HOME}/.cache/terraform-provider-appxchange"
	fi
	abs_path "$dir"
}

# build_opentofu VERSION DEST: builds OpenTofu into DEST atomically (temp file + mv).
build_opentofu() {
	local version="$1" dest="$2" dest_dir go_bin
	dest_dir="$(dirname "$dest")"

	go_bin="$(command -v go 2>/dev/null)" || build_failed "'go' is not on PATH"
	[[ -f "${wrapper_dir}/go.mod" ]] || build_failed "wrapper module ${wrapper_dir}/go.mod is missing"
	grep -qF "github.com/opentofu/opentofu v${version}" "${wrapper_dir}/go.mod" ||
		build_failed "${wrapper_dir}/go.mod does not require github.com/opentofu/opentofu v${version}"

	# Build from a temp copy of the wrapper module so the repository is never
	# modified (GOFLAGS=-mod=mod may rewrite go.mod/go.sum).
	build_dir="$(mktemp -d "${TMPDIR:-/tmp}/appxchange-opentofu.XXXXXX")"
	cp -- "${wrapper_dir}/go.mod" "${build_dir}/go.mod"
	if [[ -f "${wrapper_dir}/go.sum" ]]; then
		cp -- "${wrapper_dir}/go.sum" "${build_dir}/go.sum"
	fi
	# Same directory as the destination, so the final mv is an atomic rename.
	build_tmp="$(mktemp "${dest_dir}/.tofu.build.XXXXXX")"

	log "building OpenTofu ${version} from the Go module proxy with ${go_bin} (3 to 7 minutes on two cores with cold Go caches; cached afterwards)..."
	build_and_install opentofu "$version" "$dest" "$build_dir" "$TOFU_PKG" "-s -w -X github.com/opentofu/opentofu/version.dev=no"
}

# build_terraform VERSION DEST: builds Terraform VERSION from its module on the
# Go module proxy into DEST atomically (temp file + mv).
#
# `go install github.com/hashicorp/terraform@vX` cannot work: Terraform's
# go.mod requires nested modules (the remote-state backends azure, consul, s3,
# ... and internal/legacy) through `replace X => ./dir` lines whose
# directories the module zip does not contain. So the module's source is
# copied, every such module is dropped from go.mod, the backends'
# registrations are deleted from internal/backend/init/init.go (those
# backends are not needed to test a provider), godebug settings the local Go
# rejects are dropped (1.11's `godebug tlskyber=0`), and the copy is built.
build_terraform() {
	local version="$1" dest="$2" dest_dir go_bin info mod_dir src out key
	local old old_version new i alias alt="" left init_go import_re
	local -a edit_args=() dropped=() aliases=()
	dest_dir="$(dirname "$dest")"

	go_bin="$(command -v go 2>/dev/null)" || build_failed "'go' is not on PATH"
	build_dir="$(mktemp -d "${TMPDIR:-/tmp}/appxchange-terraform.XXXXXX")"
	# Same directory as the destination, so the final mv is an atomic rename.
	build_tmp="$(mktemp "${dest_dir}/.terraform.build.XXXXXX")"

	log "building Terraform ${version} from the Go module proxy with ${go_bin} (2 to 6 minutes on two cores with cold Go caches; cached afterwards)..."

	# The exact version is asked for: `go list -m -versions` lists are incomplete.
	# Run outside any module so that nothing's go.mod/go.sum is touched.
	mkdir "${build_dir}/outside"
	if ! info="$(cd "${build_dir}/outside" && env -u GOFLAGS GOWORK=off GO111MODULE=on \
		"$go_bin" mod download -json "${TF_MODULE}@v${version}")"; then
		log "${info}"
		build_failed "'go mod download ${TF_MODULE}@v${version}' failed (offline machines need GOPROXY to reach the Go module proxy)"
	fi
	mod_dir="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$info")"
	[[ -n "$mod_dir" && -f "${mod_dir}/go.mod" ]] ||
		build_failed "'go mod download -json' named no module directory: ${info}"

	src="${build_dir}/src"
	cp -R -- "$mod_dir" "$src" || build_failed "cannot copy ${mod_dir}"
	chmod -R u+w -- "$src"

	# Every `replace X => ./dir` whose directory the module zip lacks.
	if ! out="$(cd "$src" && GOWORK=off "$go_bin" mod edit -json)"; then
		build_failed "'go mod edit -json' cannot read ${TF_MODULE}@v${version}'s go.mod"
	fi
	while IFS=$'\t' read -r old old_version new; do
		[[ -n "$old" ]] || continue
		[[ "$new" == ./* || "$new" == ../* ]] || continue
		[[ ! -d "${src}/${new}" ]] || continue
		[[ "$old_version" != - ]] || old_version=""
		dropped+=("$old")
		edit_args+=("-droprequire=${old}" "-dropreplace=${old}${old_version:+@${old_version}}")
	done < <(awk '
		/^\t"Replace": \[/ { r = 1; next }
		r && /^\t\]/ { r = 0 }
		!r { next }
		/"Old": \{/ { s = "old"; o = ""; ov = "-" }
		/"New": \{/ { s = "new" }
		/"(Path|Version)": / {
			v = $0; sub(/^[^:]*: "/, "", v); sub(/",?[[:space:]]*$/, "", v)
			if (s == "old" && $0 ~ /"Path"/) o = v
			else if (s == "old") ov = v
			else if (s == "new" && $0 ~ /"Path"/) print o "\t" ov "\t" v
		}' <<<"$out")

	if ((${#dropped[@]} > 0)); then
		log "dropping the nested modules the module zip lacks: ${dropped[*]}"
		(cd "$src" && GOWORK=off "$go_bin" mod edit "${edit_args[@]}") || build_failed "'go mod edit' failed"

		# Delete their imports from init.go, and the map entries
		# `"name": func() backend.Backend { return alias.New() },` using them.
		init_go="${src}/internal/backend/init/init.go"
		for old in "${dropped[@]}"; do
			alt="${alt:+${alt}|}${old//./\\.}"
		done
		import_re="^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*[[:space:]]+)?\"(${alt})(/[^\"]*)?\"[[:space:]]*$"
		if [[ -f "$init_go" ]]; then
			while read -r alias _; do
				if [[ "$alias" == \"* ]]; then
					# Import without a name: the package name is the last element.
					alias="${alias%\"}"
					alias="${alias##*/}"
				fi
				aliases+=("$alias")
			done < <(grep -E "$import_re" "$init_go" || true)
			sed -i -E "/${import_re//\//\\/}/d" "$init_go"
			for i in "${aliases[@]}"; do
				sed -i -E "/^[[:space:]]*\"[^\"]+\":[[:space:]]+func\(\).*[^A-Za-z0-9_]${i}\.New\(/d" "$init_go"
				if grep -nE "(^|[^A-Za-z0-9_.])${i}\." "$init_go" >&2; then
					build_failed "internal/backend/init/init.go still uses ${i} (shown above) after its import was deleted; this Terraform version's layout is not the one build_terraform knows"
				fi
			done
			log "deleted the backends ${aliases[*]:-(none)} from internal/backend/init/init.go"
		fi
		# Fail loudly rather than later in `go build` with a confusing error.
		left="$(grep -rlE --include='*.go' "\"(${alt})(/[^\"]*)?\"" "$src" | grep -v '_test\.go$' || true)"
		if [[ -n "$left" ]]; then
			build_failed "these files still import a dropped module; this Terraform version's layout is not the one build_terraform knows: ${left//$'\n'/ }"
		fi
	fi

	# Drop each godebug setting the local Go rejects (Go 1.26 knows no `tlskyber`).
	for i in 1 2 3 4 5 6 7 8 9 10; do
		if out="$(cd "$src" && GOWORK=off GOFLAGS=-mod=mod "$go_bin" list -m 2>&1)"; then
			break
		fi
		key="$(grep -Eo 'go\.mod:[0-9]+: unknown godebug "[^"]+"' <<<"$out" | head -n 1 | sed -E 's/.*"([^"]+)"$/\1/' || true)"
		if [[ -z "$key" || "$i" == 10 ]]; then
			build_failed "its go.mod does not load: ${out}"
		fi
		log "dropping 'godebug ${key}' from go.mod: $("$go_bin" env GOVERSION) rejects it"
		(cd "$src" && GOWORK=off "$go_bin" mod edit -dropgodebug="$key") || build_failed "'go mod edit -dropgodebug=${key}' failed"
	done

	build_and_install terraform "$version" "$dest" "$src" . "-s -w -X ${TF_MODULE}/version.dev=no"
}

# build_and_install KIND VERSION DEST DIR PACKAGE LDFLAGS, called by the two
# builders with their go_bin: builds PACKAGE in the module at DIR into build_tmp, checks that it reports KIND VERSION, and moves
# it to DEST (an atomic rename: build_tmp is in DEST's directory).
build_and_install() {
	local kind="$1" version="$2" dest="$3" dir="$4" pkg="$5" ldflags="$6" start elapsed
	start=$SECONDS
	if ! (
		cd "$dir" &&
			GOWORK=off GOFLAGS='-mod=mod -buildvcs=false' CGO_ENABLED=0 \
				"$go_bin" build -trimpath -ldflags "$ldflags" -o "$build_tmp" "$pkg"
	) >&2; then
		build_failed "'go build ${pkg}' failed (see the output above; offline machines need GOPROXY to reach the Go module proxy)"
	fi
	elapsed=$((SECONDS - start))

	if ! probe_version "$build_tmp"; then
		build_failed "the freshly built binary does not run"
	fi
	if [[ "$cli_kind" != "$kind" || "$cli_version" != "$version" ]]; then
		build_failed "the freshly built binary reports ${cli_kind} ${cli_version}, expected $(kind_name "$kind") ${version}"
	fi
	chmod 0755 "$build_tmp"
	mv -f -- "$build_tmp" "$dest" || build_failed "cannot move the binary to ${dest}"
	build_tmp=""
	log "built $(kind_name "$kind") ${version} in ${elapsed}s: ${dest}"
}

# resolve_built KIND VERSION: the cached build of KIND (terraform|opentofu)
# VERSION, built first when it is not cached yet.
resolve_built() {
	local kind="$1" version="$2" root dest lock
	building="$(kind_name "$kind") ${version}"
	root="$(cache_root)"
	case "$kind" in
	terraform) dest="${root}/terraform-${version}/terraform" ;;
	opentofu) dest="${root}/opentofu-${version}/tofu" ;;
	*) die "unknown CLI kind ${kind}" ;;
	esac

	if [[ -x "$dest" ]]; then
		why="${why:+${why}; }cached build"
	else
		mkdir -p -- "$(dirname "$dest")" || build_failed "cannot create $(dirname "$dest")"
		lock="$(dirname "$dest")/.build.lock"
		if command -v flock >/dev/null 2>&1; then
			# Serialise concurrent builds; the loser reuses the winner's binary.
			exec 9>"$lock"
			if ! flock -n 9; then
				log "another build of ${building} is running; waiting for ${lock}..."
				flock 9
			fi
		fi
		if [[ -x "$dest" ]]; then
			why="${why:+${why}; }cached build"
		else
			"build_${kind}" "$version" "$dest"
			why="${why:+${why}; }built now"
		fi
	fi
	cli="$dest"
	cli_kind="$kind"
	cli_version="$version"
}

# not_taken REASON: records why the CLI on PATH was not taken.
not_taken() {
	local reason="$*"
	log "not using ${found} for the role '${role}': ${reason}"
	why="${why:+${why}; }PATH has ${reason%% (*}"
}

resolve_newest() {
	if [[ -n "${APPXCHANGE_TF_CLI:-}" ]]; then
		cli="$(abs_path "$APPXCHANGE_TF_CLI")"
		[[ -f "$cli" && -x "$cli" ]] || die "APPXCHANGE_TF_CLI=${APPXCHANGE_TF_CLI} is not an executable file"
		if ! probe_version "$cli"; then
			[[ "$mode" != env ]] || die "cannot tell whether APPXCHANGE_TF_CLI=${cli} is Terraform or OpenTofu"
			cli_kind="an unknown CLI"
			cli_version="of unknown version"
		fi
		why="APPXCHANGE_TF_CLI is set"
		return
	fi
	if path_cli terraform; then
		if [[ "$cli_kind" != terraform ]]; then
			not_taken "$(kind_name "$cli_kind") ${cli_version} as 'terraform', not Terraform"
		elif ! version_ge "$cli_version" "$TF_NEWEST_MIN"; then
			not_taken "Terraform ${cli_version} < ${TF_NEWEST_MIN} (resource identity, list resources and 'terraform query' are tested on the newest CLI)"
		elif version_ge "$cli_version" 1.16.0 && ! version_ge "$cli_version" 1.16.3; then
			not_taken "Terraform ${cli_version}, whose -generate-config-out ignores required_providers for import blocks (hashicorp/terraform#39144)"
		else
			cli="$found"
			why="Terraform >= ${TF_NEWEST_MIN} on PATH"
			return
		fi
	else
		why="no terraform on PATH"
	fi
	resolve_built terraform "$TF_NEWEST_VERSION"
}

resolve_terraform_oldest() {
	local minor="${TF_OLDEST_VERSION%.*}"
	if path_cli terraform; then
		if [[ "$cli_kind" != terraform ]]; then
			not_taken "$(kind_name "$cli_kind") ${cli_version} as 'terraform', not Terraform"
		elif ! same_minor "$cli_version" "$minor"; then
			not_taken "Terraform ${cli_version}, not ${minor}.x"
		else
			cli="$found"
			why="Terraform ${minor}.x on PATH"
			return
		fi
	else
		why="no terraform on PATH"
	fi
	resolve_built terraform "$TF_OLDEST_VERSION"
}

resolve_opentofu() {
	local minor="${TOFU_VERSION%.*}"
	if path_cli tofu; then
		if [[ "$cli_kind" != opentofu ]]; then
			not_taken "$(kind_name "$cli_kind") ${cli_version} as 'tofu', not OpenTofu"
		elif ! same_minor "$cli_version" "$minor"; then
			not_taken "OpenTofu ${cli_version}, not ${minor}.x"
		else
			cli="$found"
			why="OpenTofu ${minor}.x on PATH"
			return
		fi
	else
		why="no tofu on PATH"
	fi
	resolve_built opentofu "$TOFU_VERSION"
}

if [[ "$role" != newest && -n "${APPXCHANGE_TF_CLI:-}" ]]; then
	log "APPXCHANGE_TF_CLI is ignored for the role '${role}' (it only overrides the newest CLI)"
fi
case "$role" in
newest) resolve_newest ;;
terraform-1.11) resolve_terraform_oldest ;;
opentofu) resolve_opentofu ;;
esac
log "${role}: $(kind_name "$cli_kind") ${cli_version} (${why}): ${cli}"

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

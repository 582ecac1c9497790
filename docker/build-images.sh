#!/bin/sh
# build-images.sh TAG: builds, locally and without pulling anything, the images
# gatecheck's container tests and docker-compose.local.yml use:
#
#   gatecheck:TAG        FROM scratch, the static binary of `make build`
#   gatecheck-caddy:TAG  FROM scratch, Caddy built with CGO_ENABLED=0 from the Go
#                        module proxy (CADDY_VERSION), in a temp module outside
#                        the repo
#   gatecheck-nginx:TAG  FROM scratch, a root filesystem assembled from this
#                        machine's nginx package: /usr/sbin/nginx, the libraries
#                        ldd names, /etc/passwd and /etc/group
#   gatecheck-haproxy:TAG  the same from this machine's haproxy package
#
# IMAGES limits what is built (default "gatecheck caddy nginx"). LABELS, words
# KEY=VALUE without spaces, are put on every image (the Docker tests put their
# owner labels there, so that a killed run's images are swept by the next).
# Every image is removed again by `docker rmi`; docker/remove-images.sh TAG
# does it.
set -eu
TAG=${1:?usage: build-images.sh TAG}
IMAGES=${IMAGES:-gatecheck caddy nginx}
CADDY_VERSION=${CADDY_VERSION:-v2.10.2}
GO=${GO:-go}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
label_args=
set -f # no pathname expansion: a label value such as pid:[4026531836] is no pattern
for label in ${LABELS:-}; do
	label_args="$label_args --label $label"
done

# rootfs_image NAME: gatecheck-NAME:TAG from scratch with this machine's
# /usr/sbin/NAME, the loader and every library ldd names, at the same paths.
rootfs_image() {
	bin=$(command -v "$1" || echo "/usr/sbin/$1")
	[ -x "$bin" ] || { echo "build-images.sh: $1 not installed (apt-get install $1)" >&2; exit 1; }
	rootfs="$WORK/$1/rootfs"
	mkdir -p "$rootfs/usr/sbin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/run" "$rootfs/var/lib/$1" "$rootfs/var/log/$1"
	cp "$bin" "$rootfs/usr/sbin/$1"
	for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
		mkdir -p "$rootfs$(dirname "$lib")"
		cp -L "$lib" "$rootfs$lib"
	done
	printf 'root:x:0:0:root:/root:/nonexistent\nnobody:x:65534:65534:nobody:/nonexistent:/nonexistent\n' >"$rootfs/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
	chmod 1777 "$rootfs/tmp"
	cp "$ROOT/docker/$1/Dockerfile" "$WORK/$1/"
	docker build -q $label_args -t "gatecheck-$1:$TAG" "$WORK/$1" >/dev/null
}

for image in $IMAGES; do
	case $image in
	gatecheck)
		make -C "$ROOT" -s build
		docker build -q $label_args -t "gatecheck:$TAG" "$ROOT" >/dev/null
		;;
	caddy)
		# Caddy's module cache survives between runs; the binary is rebuilt only
		# when missing.
		cache=${CADDY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gatecheck/caddy-$CADDY_VERSION}
		if [ ! -x "$cache/caddy" ]; then
			mkdir -p "$cache"
			cp "$ROOT/docker/caddy/main.go.txt" "$cache/main.go"
			(cd "$cache" && rm -f go.mod go.sum && $GO mod init caddybuild >/dev/null 2>&1 &&
				$GO get "github.com/caddyserver/caddy/v2@$CADDY_VERSION" >/dev/null 2>&1 &&
				$GO mod tidy >/dev/null 2>&1 &&
				CGO_ENABLED=0 $GO build -trimpath -ldflags '-s -w' -o caddy .)
		fi
		mkdir -p "$WORK/caddy"
		cp "$cache/caddy" "$WORK/caddy/caddy"
		cp "$ROOT/docker/caddy/Dockerfile" "$WORK/caddy/"
		docker build -q $label_args -t "gatecheck-caddy:$TAG" "$WORK/caddy" >/dev/null
		;;
	nginx | haproxy)
		rootfs_image "$image"
		;;
	*)
		echo "build-images.sh: unknown image $image (gatecheck, caddy, nginx or haproxy)" >&2
		exit 2
		;;
	esac
	case $image in gatecheck) echo "built gatecheck:$TAG" ;; *) echo "built gatecheck-$image:$TAG" ;; esac
done

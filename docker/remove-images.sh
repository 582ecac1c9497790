#!/bin/sh
# remove-images.sh TAG: removes the images build-images.sh TAG built.
TAG=${1:?usage: remove-images.sh TAG}
for image in gatecheck gatecheck-caddy gatecheck-nginx gatecheck-haproxy; do
	docker rmi -f "$image:$TAG" >/dev/null 2>&1 || true
done

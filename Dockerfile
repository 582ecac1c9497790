# gatecheck from scratch: the static binary `make build` writes to bin/gatecheck.
# Build it with `make docker-images` (or: make build && docker build -t gatecheck .).
# The default command is the fake upstream with its control API, reachable from
# the other containers of the network: gatecheck serve binds loopback unless told.
FROM scratch
COPY bin/gatecheck /gatecheck
EXPOSE 8081 8082 8083 8084
ENTRYPOINT ["/gatecheck"]
CMD ["serve", "--listen", "0.0.0.0:8081", "--control", "0.0.0.0:8084"]

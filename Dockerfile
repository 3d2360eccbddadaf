# Build the worker and the CLI; the runtime image holds nothing else.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -ldflags "-X main.version=${VERSION}" -o /out/worker ./cmd/worker \
 && CGO_ENABLED=0 go build -ldflags "-X main.version=${VERSION}" -o /out/toolq-child ./cmd/toolq-child \
 && CGO_ENABLED=0 go build -ldflags "-X main.version=${VERSION}" -o /out/enqueue ./cmd/enqueue

FROM debian:bookworm-slim
COPY --from=build /out/worker /out/toolq-child /out/enqueue /usr/local/bin/
# The worker must be root inside the container to create cgroups for its
# calls (see compose.yaml).
ENTRYPOINT ["/usr/local/bin/worker"]

# Minyi container image.
#
#   docker build -t minyi .
#   docker run -p 8080:8080 -v minyi-data:/data minyi
#
# The build line below is the same as the one in .ci/run; deploy/deploy_test.go
# fails when they differ, so the image is built exactly as CI builds and tests it.

# ---- build stage -----------------------------------------------------------
FROM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first, so that source edits do not re-download dependencies.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/minyi .
# An empty /data owned by the runtime user (65532 = distroless "nonroot"), so a
# fresh named volume mounted there is writable.
RUN install -d -o 65532 -g 65532 -m 0750 /out/data

# ---- runtime stage ---------------------------------------------------------
# Static distroless: no shell, no package manager; CA certificates and
# /etc/passwd with the nonroot user (65532) included.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /usr/share/zoneinfo/Asia/Shanghai /usr/share/zoneinfo/Asia/Shanghai
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build /out/minyi /minyi

# Times are stored in UTC and written as +08:00 by the service itself; TZ only
# sets the zone of anything the process formats in local time.
ENV TZ=Asia/Shanghai \
    MINYI_DATA_DIR=/data \
    MINYI_DATABASE_URL=sqlite:/data/minyi.db \
    MINYI_ADDR=:8080 \
    MINYI_LOG_FORMAT=json

USER nonroot:nonroot
VOLUME /data
EXPOSE 8080

# No curl in distroless: the binary checks itself (GET http://127.0.0.1:8080/healthz).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/minyi", "healthcheck"]

ENTRYPOINT ["/minyi"]
CMD ["serve"]

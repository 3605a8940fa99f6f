package api

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/service"
)

const (
	ctxRequestID       = "minyi.request_id"
	ctxClientRequestID = "minyi.client_request_id"
	ctxActor           = "minyi.actor"
)

// requestID returns the id of the current request.
func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// clientRequestIDPattern is what a client's X-Request-Id must look like to
// be logged at all.
var clientRequestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// withRequestID gives every request an id of the server's own making, which
// the response echoes in X-Request-Id and the audit ledger keeps. A
// client's X-Request-Id is never the request's id (a client could otherwise
// write any text, such as the service's own "sync-superseded:" prefix, into
// the ledger); when it is sane (letters, digits, '.', '_', ':' or '-', at
// most 64) the access log records it as client_request_id, to match the
// client's logs.
func withRequestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		buf := make([]byte, 12)
		rand.Read(buf)
		id := hex.EncodeToString(buf)
		if client := c.GetHeader("X-Request-Id"); clientRequestIDPattern.MatchString(client) {
			c.Set(ctxClientRequestID, client)
		}
		c.Set(ctxRequestID, id)
		c.Header("X-Request-Id", id)
		c.Next()
	}
}

// accessLog logs one line per request with its id, route pattern, status and duration.
func accessLog(logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		logger.LogAttrs(c.Request.Context(), slog.LevelInfo, "request",
			slog.String("request_id", requestID(c)), slog.String("method", c.Request.Method),
			slog.String("route", route), slog.Int("status", c.Writer.Status()),
			slog.Duration("duration", time.Since(start)), slog.String("client_ip", c.ClientIP()),
			slog.String("client_request_id", c.GetString(ctxClientRequestID)))
	}
}

// recoverPanics turns a panic into a logged 500 in the error envelope.
func recoverPanics(logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				logger.Error("panic", "request_id", requestID(c), "route", c.FullPath(),
					"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if !c.Writer.Written() {
					abortWith(c, http.StatusInternalServerError, "internal_error", nil, nil)
				} else {
					c.Abort()
				}
			}
		}()
		c.Next()
	}
}

// fileRoutes are the only routes that take a multipart body (a file), with
// each one's body limit: the file's own limit plus room for the form.
// Every other route takes JSON of at most MaxBodyBytes.
var fileRoutes = map[string]int64{
	"POST /api/v1/uploads":                              service.MaxUploadBytes + uploadOverheadBytes,
	"POST /api/v1/estates/:estate_id/households/import": MaxImportBytes + multipartOverhead,
}

// bodyRule is the body a route accepts: its limit and whether it is a file
// upload (multipart/form-data) or JSON.
func bodyRule(c *gin.Context, jsonLimit int64) (limit int64, multipart bool) {
	if limit, ok := fileRoutes[c.Request.Method+" "+c.FullPath()]; ok {
		return limit, true
	}
	return jsonLimit, false
}

// ctxWrongMediaType marks a request whose body is not of the kind its route
// takes; it is answered 415 once the caller is known (authenticate, or
// bindJSON on public routes), so that an anonymous caller still learns 401
// first.
const ctxWrongMediaType = "minyi.wrong_media_type"

// limitBody caps every request body at its route's limit, whatever the
// Content-Type claims (http.MaxBytesReader, so a body without a length is
// cut off while it is read), and marks a body of the wrong kind, to be
// refused with 415 unsupported_media_type: JSON routes take
// application/json (or a body without a Content-Type), file routes
// multipart/form-data.
func limitBody(jsonLimit int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		limit, multipart := bodyRule(c, jsonLimit)
		if c.Request.ContentLength > limit {
			abortWith(c, http.StatusRequestEntityTooLarge, "body_too_large", nil, nil)
			return
		}
		hasBody := c.Request.ContentLength != 0 && c.Request.Body != nil && c.Request.Body != http.NoBody
		if hasBody && c.FullPath() != "" && !acceptsContentType(c.ContentType(), multipart) {
			c.Set(ctxWrongMediaType, true)
		}
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		}
		c.Next()
	}
}

// refusedMediaType answers 415 when limitBody marked the body as the wrong
// kind for the route, and tells whether it did.
func refusedMediaType(c *gin.Context) bool {
	if c.GetBool(ctxWrongMediaType) {
		abortWith(c, http.StatusUnsupportedMediaType, "unsupported_media_type", nil, nil)
		return true
	}
	return false
}

// acceptsContentType tells whether a route of the kind takes a body of the
// media type (c.ContentType(): without parameters).
func acceptsContentType(mediaType string, multipart bool) bool {
	mediaType = strings.ToLower(mediaType)
	if multipart {
		return mediaType == "multipart/form-data"
	}
	return mediaType == "" || mediaType == "application/json" ||
		(strings.HasPrefix(mediaType, "application/") && strings.HasSuffix(mediaType, "+json"))
}

// actorOf returns the authenticated caller of a request.
func actorOf(c *gin.Context) service.Actor {
	v, _ := c.Get(ctxActor)
	actor, _ := v.(service.Actor)
	return actor
}

// authenticate checks the bearer token of a route that needs one, then the
// caller's role against the route's action (403 when the role may never do it).
func (a *API) authenticate(action service.Action) gin.HandlerFunc {
	return func(c *gin.Context) {
		header := c.GetHeader("Authorization")
		token, ok := strings.CutPrefix(header, "Bearer ")
		if !ok || strings.TrimSpace(token) == "" {
			c.Header("WWW-Authenticate", `Bearer realm="minyi"`)
			abortWith(c, http.StatusUnauthorized, "missing_token", nil, nil)
			return
		}
		actor, err := a.svc.Authenticate(c.Request.Context(), strings.TrimSpace(token))
		if err != nil {
			c.Header("WWW-Authenticate", `Bearer realm="minyi", error="invalid_token"`)
			fail(c, err)
			return
		}
		actor.RequestID = requestID(c)
		actor.Channel = service.ChannelAPI
		if actor.Role == service.RoleResident {
			actor.Channel = service.ChannelOnline
		}
		if !service.RoleAllowed(action, actor.Role) {
			abortWith(c, http.StatusForbidden, "forbidden", nil, nil)
			return
		}
		if refusedMediaType(c) {
			return
		}
		c.Set(ctxActor, actor)
		c.Next()
	}
}

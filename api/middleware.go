package api

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/service"
)

const (
	ctxRequestID = "minyi.request_id"
	ctxActor     = "minyi.actor"
)

// requestID returns the id of the current request.
func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// withRequestID gives every request an id (the client's X-Request-Id when it
// is sane) and echoes it in the response.
func withRequestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-Id")
		if id == "" || len(id) > 64 || strings.ContainsAny(id, " \t\r\n\"") {
			buf := make([]byte, 12)
			rand.Read(buf)
			id = hex.EncodeToString(buf)
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
			slog.Duration("duration", time.Since(start)), slog.String("client_ip", c.ClientIP()))
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

// maxMultipartBytes is the outer cap of multipart bodies (uploads, imports).
const maxMultipartBytes = 32 << 20

// limitBody caps request bodies; multipart uploads set their own, larger limit.
func limitBody(limit int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > limit && !strings.HasPrefix(c.ContentType(), "multipart/") {
			abortWith(c, http.StatusRequestEntityTooLarge, "body_too_large", nil, nil)
			return
		}
		if !strings.HasPrefix(c.ContentType(), "multipart/") {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		} else {
			// An outer cap, so that nothing (the idempotency middleware
			// included) reads an unbounded upload; handlers set their own limits.
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxMultipartBytes)
		}
		c.Next()
	}
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
		c.Set(ctxActor, actor)
		c.Next()
	}
}

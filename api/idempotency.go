package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/service"
)

// capturingWriter keeps a copy of the response body for the idempotency store.
type capturingWriter struct {
	gin.ResponseWriter
	body bytes.Buffer
}

func (w *capturingWriter) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *capturingWriter) WriteString(s string) (int, error) {
	w.body.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}

// idempotent makes a write with an Idempotency-Key header safe to repeat: the
// first response is stored per caller and key, a repeat returns it unchanged,
// and the same key with another body is refused with 422.
func (a *API) idempotent() gin.HandlerFunc {
	return func(c *gin.Context) {
		key := c.GetHeader("Idempotency-Key")
		if key == "" {
			c.Next()
			return
		}
		if len(key) > 128 {
			abortWith(c, http.StatusUnprocessableEntity, "validation_failed", map[string]string{"Idempotency-Key": "at most 128 characters"}, nil)
			return
		}
		body, err := io.ReadAll(c.Request.Body)
		if err != nil {
			abortWith(c, http.StatusRequestEntityTooLarge, "body_too_large", nil, nil)
			return
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.New()
		io.WriteString(sum, c.Request.Method+" "+c.Request.URL.RequestURI()+"\n")
		sum.Write(body)
		hash := hex.EncodeToString(sum.Sum(nil))
		actor := actorOf(c)
		caller := actor.Kind + ":" + actor.ID
		ctx := c.Request.Context()
		replay, err := a.svc.ReserveIdempotencyKey(ctx, caller, key, hash)
		if err != nil {
			fail(c, err)
			return
		}
		if replay != nil {
			c.Header("Idempotent-Replayed", "true")
			c.Data(replay.Status, replay.ContentType, replay.Body)
			c.Abort()
			return
		}
		w := &capturingWriter{ResponseWriter: c.Writer}
		c.Writer = w
		c.Next()
		// Store the outcome even if the client went away.
		store, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		status := w.Status()
		if status >= 500 {
			err = a.svc.ReleaseIdempotencyKey(store, caller, key)
		} else {
			err = a.svc.CompleteIdempotencyKey(store, caller, key, serviceReplay(status, w.Header().Get("Content-Type"), w.body.Bytes()))
		}
		if err != nil {
			slog.Error("idempotency record not saved", "request_id", requestID(c), "error", err)
		}
	}
}

func serviceReplay(status int, contentType string, body []byte) service.Replay {
	return service.Replay{Status: status, ContentType: contentType, Body: append([]byte(nil), body...)}
}

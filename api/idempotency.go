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
		actor := actorOf(c)
		claim := service.NewIdempotencyClaim(actor.Kind+":"+actor.ID, key, hex.EncodeToString(sum.Sum(nil)))
		// From here the request runs to its end even if the client goes
		// away, so that the client's retry gets this request's real response.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), detachedWriteTimeout)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		replay, err := a.svc.LookupIdempotencyKey(ctx, claim)
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
		// The write records the key in its own transaction (the service's
		// write path).
		actor.Idempotency = claim
		c.Set(ctxActor, actor)
		w := &capturingWriter{ResponseWriter: c.Writer}
		c.Writer = w
		c.Next()
		// The response is stored with a deadline of its own: a write that used
		// up the request's time still leaves its answer for the retry.
		store, cancelStore := context.WithTimeout(context.WithoutCancel(ctx), storeResponseTimeout)
		defer cancelStore()
		err = a.svc.CompleteIdempotencyKey(store, claim, serviceReplay(w.Status(), w.Header().Get("Content-Type"), w.body.Bytes()))
		if err != nil {
			slog.Error("idempotency record not saved", "request_id", requestID(c), "error", err)
		}
	}
}

// detachedWriteTimeout bounds a write sent with an Idempotency-Key, which
// no longer ends when its client disconnects.
const detachedWriteTimeout = 30 * time.Second

// storeResponseTimeout bounds storing a keyed write's response.
const storeResponseTimeout = 5 * time.Second

func serviceReplay(status int, contentType string, body []byte) service.Replay {
	return service.Replay{Status: status, ContentType: contentType, Body: append([]byte(nil), body...)}
}

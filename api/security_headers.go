package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// defaultHTMLPolicy is the Content-Security-Policy of an HTML response whose
// handler set none: nothing may load, and no page may frame it.
const defaultHTMLPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// loginLimitMessages are the texts of this part's error codes (messages).
var loginLimitMessages = map[string][2]string{
	"too_many_login_attempts": {"登录失败次数过多，请稍后再试", "too many failed logins; try again later"},
}

// securityHeaders sets the headers every response carries (no MIME
// sniffing, no referrer, no framing) and gives an HTML response a strict
// Content-Security-Policy when its handler did not set one.
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		c.Writer = &htmlPolicyWriter{ResponseWriter: c.Writer}
		c.Next()
	}
}

// htmlPolicyWriter adds the default policy just before an HTML response's
// headers go out.
type htmlPolicyWriter struct {
	gin.ResponseWriter
}

func (w *htmlPolicyWriter) ensurePolicy() {
	h := w.Header()
	if h.Get("Content-Security-Policy") == "" && strings.HasPrefix(strings.ToLower(h.Get("Content-Type")), "text/html") {
		h.Set("Content-Security-Policy", defaultHTMLPolicy)
	}
}

// WriteHeaderNow sends the headers, with the policy when needed.
func (w *htmlPolicyWriter) WriteHeaderNow() {
	if !w.Written() {
		w.ensurePolicy()
	}
	w.ResponseWriter.WriteHeaderNow()
}

// Write sends body bytes, with the policy in the headers when they go first.
func (w *htmlPolicyWriter) Write(b []byte) (int, error) {
	if !w.Written() {
		w.ensurePolicy()
	}
	return w.ResponseWriter.Write(b)
}

// WriteString sends body text, with the policy in the headers when they go first.
func (w *htmlPolicyWriter) WriteString(s string) (int, error) {
	if !w.Written() {
		w.ensurePolicy()
	}
	return w.ResponseWriter.WriteString(s)
}

// Unwrap gives the wrapped writer to http.ResponseController.
func (w *htmlPolicyWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

package console

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/service"
)

// Cookie names. The session cookie holds the session handle (a refresh
// token the service issued at login, never shown to scripts), the time of
// the last request and a MAC over both, so the idle timeout cannot be
// stretched by the client.
const (
	sessionCookie     = "minyi_console"
	loginCSRFCookie   = "minyi_console_login"
	csrfField         = "csrf"
	csrfHeader        = "X-CSRF-Token"
	actorKey          = "console.actor"
	handleKey         = "console.handle"
	sessionCookiePath = Prefix + "/"
)

// session is the decoded session cookie.
type session struct {
	handle   string
	lastSeen time.Time
}

func (c *Console) sign(parts ...string) string {
	mac := hmac.New(sha256.New, c.key)
	mac.Write([]byte(strings.Join(parts, "|")))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func (c *Console) encodeSession(s session) string {
	seen := strconv.FormatInt(s.lastSeen.Unix(), 10)
	return s.handle + "." + seen + "." + c.sign("session", s.handle, seen)
}

func (c *Console) decodeSession(value string) (session, bool) {
	parts := strings.Split(value, ".")
	if len(parts) != 3 || parts[0] == "" {
		return session{}, false
	}
	if !hmac.Equal([]byte(parts[2]), []byte(c.sign("session", parts[0], parts[1]))) {
		return session{}, false
	}
	seen, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return session{}, false
	}
	return session{handle: parts[0], lastSeen: time.Unix(seen, 0)}, true
}

// csrfToken is the session's CSRF token: a MAC of its handle, so that only
// pages rendered for this session carry it.
func (c *Console) csrfToken(handle string) string { return c.sign("csrf", handle) }

// secure tells whether the request reached us over https (directly or
// through a proxy that says so), so cookies get the Secure flag.
func secure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func (c *Console) setCookie(g *gin.Context, name, value, path string, maxAge int, sameSite http.SameSite) {
	http.SetCookie(g.Writer, &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, Secure: secure(g.Request), SameSite: sameSite})
}

func (c *Console) startSession(g *gin.Context, handle string) {
	c.setCookie(g, sessionCookie, c.encodeSession(session{handle: handle, lastSeen: c.svc.Now()}),
		sessionCookiePath, int(c.cfg.MaxSessionAge/time.Second), http.SameSiteLaxMode)
}

func (c *Console) endSession(g *gin.Context) {
	c.setCookie(g, sessionCookie, "", sessionCookiePath, -1, http.SameSiteLaxMode)
}

// requireSession admits requests with a live session: a valid cookie, used
// within the idle timeout, whose handle the service still accepts (not
// logged out, the password not changed, the account not disabled). A state-
// changing request must also carry the session's CSRF token. Pages without a
// session go to the login form; scripts get 401.
func (c *Console) requireSession() gin.HandlerFunc {
	return func(g *gin.Context) {
		now := c.svc.Now()
		raw, _ := g.Cookie(sessionCookie)
		s, ok := c.decodeSession(raw)
		if ok && now.Sub(s.lastSeen) > c.cfg.IdleTimeout {
			ok = false
		}
		var actor service.Actor
		if ok {
			var began time.Time
			var err error
			actor, began, err = c.svc.ConsoleSession(g.Request.Context(), s.handle)
			if err != nil {
				if service.AsError(err).Kind != service.KindUnauthenticated {
					c.failPage(g, err)
					g.Abort()
					return
				}
				ok = false
			} else if now.Sub(began) > c.cfg.MaxSessionAge {
				ok = false
			}
		}
		if !ok {
			c.endSession(g)
			c.toLogin(g)
			return
		}
		if g.Request.Method != http.MethodGet && g.Request.Method != http.MethodHead {
			sent := g.GetHeader(csrfHeader)
			if sent == "" {
				sent = g.PostForm(csrfField)
			}
			if subtle.ConstantTimeCompare([]byte(sent), []byte(c.csrfToken(s.handle))) != 1 {
				c.errorPage(g, http.StatusForbidden, "页面已过期或来源不明（CSRF 校验失败），请刷新后重试。")
				g.Abort()
				return
			}
		}
		actor.Channel = service.ChannelPaper
		// The router's request-id middleware has already named this request in the response.
		actor.RequestID = g.Writer.Header().Get("X-Request-Id")
		g.Set(actorKey, actor)
		g.Set(handleKey, s.handle)
		c.startSession(g, s.handle) // slide the idle window
		g.Next()
	}
}

// toLogin sends a page request to the login form, and answers scripts 401.
func (c *Console) toLogin(g *gin.Context) {
	if wantsJSON(g) {
		g.AbortWithStatusJSON(http.StatusUnauthorized, errorJSON("session_expired", "登录已过期，请重新登录", nil))
		return
	}
	g.Redirect(http.StatusSeeOther, Prefix+"/login")
	g.Abort()
}

func wantsJSON(g *gin.Context) bool {
	return strings.Contains(g.GetHeader("Accept"), "application/json") || g.GetHeader(csrfHeader) != ""
}

func actorOf(g *gin.Context) service.Actor {
	a, _ := g.Get(actorKey)
	actor, _ := a.(service.Actor)
	return actor
}

// randomToken returns n random bytes, URL-safe base64.
func randomToken(n int) string {
	buf := make([]byte, n)
	if _, err := rand.Read(buf); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(buf)
}

package console

import (
	"crypto/subtle"
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/service"
)

type loginData struct {
	Username  string
	LoginCSRF string
}

// loginForm shows the login form with a fresh login CSRF token (double
// submit: the same value in a cookie and in the form).
func (c *Console) loginForm(g *gin.Context) {
	c.showLogin(g, http.StatusOK, "", "")
}

func (c *Console) showLogin(g *gin.Context, status int, username, message string) {
	token := randomToken(24)
	c.setCookie(g, loginCSRFCookie, token, Prefix+"/login", 3600, http.SameSiteStrictMode)
	c.render(g, status, "login", page{Title: "登录", Error: message, Data: loginData{Username: username, LoginCSRF: token}})
}

// login checks the username and password through the service (with its
// limit on failed logins) and starts a session.
func (c *Console) login(g *gin.Context) {
	cookie, _ := g.Cookie(loginCSRFCookie)
	sent := g.PostForm(csrfField)
	username := g.PostForm("username")
	if cookie == "" || subtle.ConstantTimeCompare([]byte(cookie), []byte(sent)) != 1 {
		c.showLogin(g, http.StatusForbidden, username, "页面已过期，请重新输入后登录。")
		return
	}
	tokens, err := c.svc.LoginFrom(g.Request.Context(), username, g.PostForm("password"), g.ClientIP())
	if err != nil {
		status, message, _ := c.explain(g, err)
		if se := service.AsError(err); se.RetryAfterSeconds > 0 {
			g.Header("Retry-After", itoa(se.RetryAfterSeconds))
		}
		c.showLogin(g, status, username, message)
		return
	}
	c.setCookie(g, loginCSRFCookie, "", Prefix+"/login", -1, http.SameSiteStrictMode)
	c.startSession(g, tokens.RefreshToken)
	g.Redirect(http.StatusSeeOther, Prefix+"/")
}

// logout ends the session in the service too, so the cookie is worthless
// even if it was copied.
func (c *Console) logout(g *gin.Context) {
	handle, _ := g.Get(handleKey)
	if err := c.svc.Logout(g.Request.Context(), handle.(string)); err != nil {
		c.failPage(g, err)
		return
	}
	c.endSession(g)
	g.Redirect(http.StatusSeeOther, Prefix+"/login?done=logged_out")
}

func robots(g *gin.Context) {
	g.Header("Cache-Control", "public, max-age=86400")
	g.String(http.StatusOK, "User-agent: *\nDisallow: /console/\nDisallow: /api/\nAllow: /notice/\n")
}

func favicon(g *gin.Context) {
	g.Header("Cache-Control", "public, max-age=86400")
	g.FileFromFS("favicon.ico", staticFS())
}

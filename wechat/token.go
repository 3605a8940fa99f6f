package wechat

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"time"
)

// tokenMargin is how long before its expiry a cached access token is
// replaced, so that a token never expires in flight.
const tokenMargin = 5 * time.Minute

// AccessToken returns the app's access token from POST /cgi-bin/stable_token,
// cached until shortly before it expires. Concurrent callers share one fetch.
func (c *Client) AccessToken(ctx context.Context) (string, error) {
	if !c.Configured() {
		return "", ErrNotConfigured
	}
	c.tokenMu.Lock()
	defer c.tokenMu.Unlock()
	if c.token != "" && c.now().Before(c.tokenExpiry) {
		return c.token, nil
	}
	body := map[string]any{"grant_type": "client_credential", "appid": c.appID, "secret": c.secret, "force_refresh": false}
	var reply struct {
		replyStatus
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := c.do(ctx, "stable_token", http.MethodPost, "/cgi-bin/stable_token", nil, body, &reply); err != nil {
		return "", err
	}
	if err := reply.err("stable_token"); err != nil {
		return "", err
	}
	if reply.AccessToken == "" || reply.ExpiresIn <= 0 {
		return "", fmt.Errorf("wechat stable_token: reply without a token: %w", ErrUnreachable)
	}
	lifetime := time.Duration(reply.ExpiresIn) * time.Second
	margin := tokenMargin
	if margin > lifetime/2 {
		margin = lifetime / 2
	}
	c.token, c.tokenExpiry = reply.AccessToken, c.now().Add(lifetime-margin)
	return c.token, nil
}

// forgetToken drops the cached access token if it is still the given one
// (another caller may have replaced it already).
func (c *Client) forgetToken(token string) {
	c.tokenMu.Lock()
	defer c.tokenMu.Unlock()
	if c.token == token {
		c.token = ""
	}
}

// tokenRejected tells whether WeChat refused the access token itself.
func tokenRejected(err error) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.Code {
	case CodeInvalidCredential, CodeInvalidAccessToken, CodeAccessTokenExpired:
		return true
	}
	return false
}

// withToken calls a POST endpoint that takes ?access_token=; when WeChat
// rejects the token (40001, 40014, 42001) it fetches a fresh one and tries
// exactly once more.
func (c *Client) withToken(ctx context.Context, endpoint, path string, body any, out interface{ err(string) error }) error {
	for attempt := 0; attempt < 2; attempt++ {
		token, err := c.AccessToken(ctx)
		if err != nil {
			return err
		}
		reflect.ValueOf(out).Elem().SetZero() // a retry must not see the first reply
		if err := c.do(ctx, endpoint, http.MethodPost, path, url.Values{"access_token": {token}}, body, out); err != nil {
			return err
		}
		err = out.err(endpoint)
		if err == nil || !tokenRejected(err) || attempt == 1 {
			return err
		}
		c.forgetToken(token)
	}
	return nil
}

package wechat_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"minyi/wechat"
	"minyi/wechat/wechattest"
)

func TestCode2Session(t *testing.T) {
	fake := wechattest.NewServer(t)
	client := fake.Client(t)
	ctx := context.Background()

	t.Run("valid code gives openid and unionid", func(t *testing.T) {
		session, err := client.Code2Session(ctx, fake.LoginCode("o-alice", "u-alice"))
		if err != nil {
			t.Fatal(err)
		}
		if session.OpenID != "o-alice" || session.UnionID != "u-alice" {
			t.Fatalf("session = %+v", session)
		}
	})
	t.Run("a code works once", func(t *testing.T) {
		code := fake.LoginCode("o-bob", "")
		if _, err := client.Code2Session(ctx, code); err != nil {
			t.Fatal(err)
		}
		_, err := client.Code2Session(ctx, code)
		assertCode(t, err, wechat.CodeCodeUsed)
	})
	t.Run("unknown code is 40029", func(t *testing.T) {
		_, err := client.Code2Session(ctx, "no-such-code")
		assertCode(t, err, wechat.CodeInvalidCode)
	})
	t.Run("blocked user is 40226", func(t *testing.T) {
		fake.BlockUser("o-mallory")
		_, err := client.Code2Session(ctx, fake.LoginCode("o-mallory", ""))
		assertCode(t, err, wechat.CodeUserBlocked)
	})
	t.Run("busy and rate limit come back as API errors", func(t *testing.T) {
		fake.FailNext(wechattest.EndpointSession, wechat.CodeBusy, "system error")
		fake.FailNext(wechattest.EndpointSession, wechat.CodeRateLimit, "api minute-quota reach limit")
		_, err := client.Code2Session(ctx, fake.LoginCode("o-carol", ""))
		assertCode(t, err, wechat.CodeBusy)
		_, err = client.Code2Session(ctx, fake.LoginCode("o-carol", ""))
		assertCode(t, err, wechat.CodeRateLimit)
	})
	t.Run("wrong secret is 40125 and the secret is not in the error", func(t *testing.T) {
		bad, err := wechat.New(wechat.Config{AppID: wechattest.AppID, Secret: "wrong-secret-value", BaseURL: fake.URL})
		if err != nil {
			t.Fatal(err)
		}
		_, err = bad.Code2Session(ctx, fake.LoginCode("o-dave", ""))
		assertCode(t, err, wechat.CodeInvalidSecret)
		if strings.Contains(err.Error(), "wrong-secret-value") {
			t.Fatalf("error leaks the secret: %v", err)
		}
	})
	t.Run("not configured", func(t *testing.T) {
		var none *wechat.Client
		if _, err := none.Code2Session(ctx, "x"); !errors.Is(err, wechat.ErrNotConfigured) {
			t.Fatalf("err = %v, want ErrNotConfigured", err)
		}
		empty, _ := wechat.New(wechat.Config{BaseURL: fake.URL})
		if _, err := empty.Code2Session(ctx, "x"); !errors.Is(err, wechat.ErrNotConfigured) {
			t.Fatalf("err = %v, want ErrNotConfigured", err)
		}
	})
}

func TestTimeoutAndUnreachable(t *testing.T) {
	fake := wechattest.NewServer(t)
	fake.SetDelay(400 * time.Millisecond)
	client, err := wechat.New(wechat.Config{AppID: wechattest.AppID, Secret: wechattest.Secret, BaseURL: fake.URL, Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = client.Code2Session(context.Background(), fake.LoginCode("o-slow", ""))
	if !errors.Is(err, wechat.ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if elapsed := time.Since(start); elapsed > 350*time.Millisecond {
		t.Fatalf("the call took %v, the timeout is 100ms", elapsed)
	}
	if strings.Contains(err.Error(), wechattest.Secret) {
		t.Fatalf("timeout error leaks the secret: %v", err)
	}

	t.Run("a context deadline also times out", func(t *testing.T) {
		patient, _ := wechat.New(wechat.Config{AppID: wechattest.AppID, Secret: wechattest.Secret, BaseURL: fake.URL, Timeout: time.Minute})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		if _, err := patient.AccessToken(ctx); !errors.Is(err, wechat.ErrTimeout) {
			t.Fatalf("err = %v, want ErrTimeout", err)
		}
	})
	t.Run("nobody listening is unreachable", func(t *testing.T) {
		closed := wechattest.NewServer(t)
		closed.Close()
		c, _ := wechat.New(wechat.Config{AppID: wechattest.AppID, Secret: wechattest.Secret, BaseURL: closed.URL})
		_, err := c.Code2Session(context.Background(), "code")
		if !errors.Is(err, wechat.ErrUnreachable) {
			t.Fatalf("err = %v, want ErrUnreachable", err)
		}
		if strings.Contains(err.Error(), wechattest.Secret) {
			t.Fatalf("error leaks the secret: %v", err)
		}
	})
}

func TestAccessTokenCaching(t *testing.T) {
	fake := wechattest.NewServer(t)
	now := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	var clockMu sync.Mutex
	client, err := wechat.New(wechat.Config{AppID: wechattest.AppID, Secret: wechattest.Secret, BaseURL: fake.URL,
		Now: func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return now }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := client.AccessToken(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := fake.Calls(wechattest.EndpointToken); n != 1 {
		t.Fatalf("8 concurrent callers fetched the token %d times, want 1", n)
	}
	clockMu.Lock()
	now = now.Add(2*time.Hour - 6*time.Minute) // still more than the margin before expiry
	clockMu.Unlock()
	client.AccessToken(ctx)
	if n := fake.Calls(wechattest.EndpointToken); n != 1 {
		t.Fatalf("token fetched %d times before its expiry margin, want 1", n)
	}
	clockMu.Lock()
	now = now.Add(2 * time.Minute) // within 5 minutes of expiry
	clockMu.Unlock()
	client.AccessToken(ctx)
	if n := fake.Calls(wechattest.EndpointToken); n != 2 {
		t.Fatalf("token fetched %d times after nearing expiry, want 2", n)
	}
}

func TestTokenRefreshedOnceOn40001(t *testing.T) {
	fake := wechattest.NewServer(t)
	client := fake.Client(t)
	ctx := context.Background()
	if _, err := client.Code2Session(ctx, fake.LoginCode("o-eve", "")); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CheckText(ctx, "o-eve", wechat.SceneComment, "同意改造"); err != nil {
		t.Fatal(err)
	}
	fake.InvalidateAccessToken()
	verdict, err := client.CheckText(ctx, "o-eve", wechat.SceneComment, "同意改造")
	if err != nil {
		t.Fatalf("after the token was invalidated: %v", err)
	}
	if verdict.Suggest != wechat.SuggestPass {
		t.Fatalf("suggest = %q", verdict.Suggest)
	}
	if n := fake.Calls(wechattest.EndpointToken); n != 2 {
		t.Fatalf("token fetched %d times, want 2 (initial and one refresh)", n)
	}
	if n := fake.Calls(wechattest.EndpointSecCheck); n != 3 {
		t.Fatalf("msg_sec_check called %d times, want 3", n)
	}

	t.Run("a second 40001 is returned, not retried again", func(t *testing.T) {
		before := fake.Calls(wechattest.EndpointSecCheck)
		fake.FailNext(wechattest.EndpointSecCheck, wechat.CodeInvalidCredential, "invalid credential")
		fake.FailNext(wechattest.EndpointSecCheck, wechat.CodeInvalidCredential, "invalid credential")
		_, err := client.CheckText(ctx, "o-eve", wechat.SceneComment, "同意")
		assertCode(t, err, wechat.CodeInvalidCredential)
		if n := fake.Calls(wechattest.EndpointSecCheck) - before; n != 2 {
			t.Fatalf("msg_sec_check called %d times, want 2", n)
		}
	})
}

func TestCheckText(t *testing.T) {
	fake := wechattest.NewServer(t)
	client := fake.Client(t)
	ctx := context.Background()
	client.Code2Session(ctx, fake.LoginCode("o-frank", ""))
	fake.SetVerdict("广告", wechat.SuggestRisky)
	fake.SetVerdict("待定", wechat.SuggestReview)
	for text, want := range map[string]string{"电梯位置不合理": wechat.SuggestPass, "加微信看广告": wechat.SuggestRisky, "此事待定": wechat.SuggestReview} {
		v, err := client.CheckText(ctx, "o-frank", wechat.SceneComment, text)
		if err != nil {
			t.Fatal(err)
		}
		if v.Suggest != want || v.TraceID == "" {
			t.Errorf("%q: verdict %+v, want %s", text, v, want)
		}
	}
	checked := fake.Checked()
	if len(checked) != 3 || checked[0].Version != 2 || checked[0].Scene != wechat.SceneComment || checked[0].OpenID != "o-frank" {
		t.Fatalf("the fake saw %+v", checked)
	}
	_, err := client.CheckText(ctx, "o-unknown", wechat.SceneComment, "x")
	assertCode(t, err, 40003)
}

func TestPhoneNumber(t *testing.T) {
	fake := wechattest.NewServer(t)
	client := fake.Client(t)
	ctx := context.Background()
	phone, err := client.PhoneNumber(ctx, fake.PhoneCode("13800001234"))
	if err != nil {
		t.Fatal(err)
	}
	if phone.PurePhoneNumber != "13800001234" || phone.CountryCode != "86" {
		t.Fatalf("phone = %+v", phone)
	}
	_, err = client.PhoneNumber(ctx, "bogus")
	assertCode(t, err, wechat.CodeInvalidCode)
}

func TestNewRejectsBadBaseURL(t *testing.T) {
	for _, base := range []string{"ftp://x", "not a url", "http://"} {
		if _, err := wechat.New(wechat.Config{BaseURL: base}); err == nil {
			t.Errorf("base %q accepted", base)
		}
	}
}

func assertCode(t *testing.T, err error, code int) {
	t.Helper()
	var apiErr *wechat.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != code {
		t.Fatalf("err = %v, want errcode %d", err, code)
	}
}

func TestBrokenRepliesAreUnreachable(t *testing.T) {
	for name, handler := range map[string]http.HandlerFunc{
		"HTTP 502":  func(w http.ResponseWriter, r *http.Request) { http.Error(w, "bad gateway", http.StatusBadGateway) },
		"not JSON":  func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>maintenance</html>")) },
		"no openid": func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"session_key":"k"}`)) },
		"odd suggestion": func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/stable_token") {
				w.Write([]byte(`{"access_token":"t","expires_in":7200}`))
				return
			}
			w.Write([]byte(`{"errcode":0,"result":{"suggest":"maybe"}}`))
		},
	} {
		t.Run(name, func(t *testing.T) {
			server := httptest.NewServer(handler)
			defer server.Close()
			client, _ := wechat.New(wechat.Config{AppID: "wx", Secret: "s", BaseURL: server.URL})
			var err error
			if name == "odd suggestion" {
				_, err = client.CheckText(context.Background(), "o", wechat.SceneComment, "x")
			} else {
				_, err = client.Code2Session(context.Background(), "code")
			}
			if !errors.Is(err, wechat.ErrUnreachable) {
				t.Fatalf("err = %v, want ErrUnreachable", err)
			}
		})
	}
}

package service

import (
	"context"
	"sync"
	"time"
)

// BindingCodePage is the mini-program page a binding slip's code opens; its
// scene carries the binding code.
const BindingCodePage = "pages/bind/bind"

// MiniProgramCoder draws mini-program codes (the WeChat client's UnlimitedCode).
type MiniProgramCoder interface {
	UnlimitedCode(ctx context.Context, scene, page, envVersion string) ([]byte, error)
}

// codeImages caches the mini-program code of each binding code until the
// binding code expires, so that a code is drawn by WeChat once.
type codeImages struct {
	mu      sync.Mutex
	coder   MiniProgramCoder
	env     string
	entries map[string]codeImage // by the binding code's hash
}

type codeImage struct {
	png     []byte
	expires time.Time
}

// maxCachedCodes bounds the cache; the oldest-expiring entries go first.
const maxCachedCodes = 2000

// SetMiniProgramCoder lets binding codes come with a mini-program code;
// envVersion is the version it opens ("release", "trial" or "develop").
func (s *Service) SetMiniProgramCoder(coder MiniProgramCoder, envVersion string) {
	s.notifications.codes.mu.Lock()
	defer s.notifications.codes.mu.Unlock()
	s.notifications.codes.coder, s.notifications.codes.env = coder, envVersion
	s.notifications.codes.entries = map[string]codeImage{}
}

// BindingCodeImage returns the PNG of the mini-program code that opens the
// binding page with the binding code as its scene (called right after
// IssueBindingCode: the code exists in plain text only then). Errors:
// wechat_not_configured and the other WeChat errors (503).
func (s *Service) BindingCodeImage(ctx context.Context, issued *IssuedBindingCode) ([]byte, error) {
	cache := &s.notifications.codes
	cache.mu.Lock()
	coder, env := cache.coder, cache.env
	key := hashToken(issued.Code)
	if hit, ok := cache.entries[key]; ok && s.Now().Before(hit.expires) {
		cache.mu.Unlock()
		return hit.png, nil
	}
	cache.mu.Unlock()
	if coder == nil {
		return nil, Unavailable("wechat_not_configured", nil)
	}
	png, err := coder.UnlimitedCode(ctx, issued.Code, BindingCodePage, env)
	if err != nil {
		return nil, WeChatError(err)
	}
	cache.mu.Lock()
	defer cache.mu.Unlock()
	now := s.Now()
	if len(cache.entries) >= maxCachedCodes {
		for k, e := range cache.entries {
			if !now.Before(e.expires) || len(cache.entries) >= maxCachedCodes {
				delete(cache.entries, k)
			}
		}
	}
	cache.entries[key] = codeImage{png: png, expires: issued.ExpiresAt}
	return png, nil
}

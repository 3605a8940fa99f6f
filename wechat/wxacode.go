package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg" // WeChat answers JPEG unless asked for a transparent code
	"image/png"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxCodeImageBytes bounds the image WeChat returns.
const maxCodeImageBytes = 2 << 20

// UnlimitedCode asks POST /wxa/getwxacodeunlimit for a mini-program code
// that opens page with scene (at most 32 visible characters) and returns
// it as a PNG. envVersion is "release", "trial" or "develop" ("" means
// release); the page is checked only in the released version. WeChat
// errors come back as *APIError (41030 invalid page, 40129 invalid scene,
// 45009 quota, -1 busy).
func (c *Client) UnlimitedCode(ctx context.Context, scene, page, envVersion string) ([]byte, error) {
	if !c.Configured() {
		return nil, ErrNotConfigured
	}
	if envVersion == "" {
		envVersion = "release"
	}
	body := map[string]any{"scene": scene, "page": page, "check_path": envVersion == "release",
		"env_version": envVersion, "width": 430}
	for attempt := 0; attempt < 2; attempt++ {
		token, err := c.AccessToken(ctx)
		if err != nil {
			return nil, err
		}
		img, err := c.postForImage(ctx, "getwxacodeunlimit", "/wxa/getwxacodeunlimit", token, body)
		if err == nil {
			return img, nil
		}
		if !tokenRejected(err) || attempt == 1 {
			return nil, err
		}
		c.forgetToken(token)
	}
	return nil, nil
}

// postForImage posts JSON and expects an image; a JSON reply is WeChat's
// error. The image is returned as PNG.
func (c *Client) postForImage(ctx context.Context, endpoint, path, token string, body any) ([]byte, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("wechat %s: encode request: %w", endpoint, err)
	}
	target := c.baseURL + path + "?" + url.Values{"access_token": {token}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("wechat %s: build request: %w", endpoint, ErrUnreachable)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, transportError(endpoint, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxCodeImageBytes+1))
	if err != nil {
		return nil, transportError(endpoint, err)
	}
	if resp.StatusCode != http.StatusOK || len(data) > maxCodeImageBytes {
		return nil, fmt.Errorf("wechat %s: HTTP status %d, %d bytes: %w", endpoint, resp.StatusCode, len(data), ErrUnreachable)
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "image/") {
		var status replyStatus
		if err := json.Unmarshal(data, &status); err != nil || status.ErrCode == 0 {
			return nil, fmt.Errorf("wechat %s: reply is neither an image nor an error: %w", endpoint, ErrUnreachable)
		}
		return nil, status.err(endpoint)
	}
	if bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
		return data, nil
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("wechat %s: the image does not decode: %w", endpoint, ErrUnreachable)
	}
	var out bytes.Buffer
	if err := png.Encode(&out, img); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

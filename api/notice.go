package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/skip2/go-qrcode"

	"minyi/service"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pageTemplates are the server-rendered public pages.
var pageTemplates = template.Must(template.ParseFS(templateFiles, "templates/*.html"))

// Headers of the public routes.
const (
	// noticeCacheControl lets phones and proxies reuse a notice for 30 seconds.
	noticeCacheControl = "public, max-age=30"
	// noticeCSP allows nothing but the page's own styles and images: the pages need no script.
	noticeCSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; " +
		"frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)

// QR code sizes in pixels that the QR route accepts.
const (
	MinQRSize     = 128
	MaxQRSize     = 1024
	DefaultQRSize = 256
	posterQRSize  = 1024
)

func init() {
	RegisterMessages(map[string][2]string{
		"invalid_qr_size": {"二维码尺寸须为 128 到 1024 之间的整数（像素）", "size must be an integer from 128 to 1024 (pixels)"},
	})
}

// noticeHandlers serve the public notice board, its JSON, QR code and poster
// from a cache of rendered boards kept under each board's version.
type noticeHandlers struct {
	svc           *service.Service
	publicBaseURL string
	cache         *noticeCache
}

// noticeURL is the stable public address of an estate's notice board: what the QR code encodes.
func (h *noticeHandlers) noticeURL(code string) string {
	return h.publicBaseURL + "/notice/" + url.PathEscape(code)
}

// page serves GET /notice/{code}.
func (h *noticeHandlers) page(c *gin.Context) {
	setPageSecurityHeaders(c)
	rendered, err := h.load(c.Request.Context(), c.Param("code"))
	if err != nil {
		h.failPage(c, err)
		return
	}
	serveVersioned(c, "text/html; charset=utf-8", `"h-`+rendered.version+`"`, rendered.html)
}

// poster serves GET /notice/{code}/poster, the printable A4 page for the notice wall.
func (h *noticeHandlers) poster(c *gin.Context) {
	setPageSecurityHeaders(c)
	rendered, err := h.load(c.Request.Context(), c.Param("code"))
	if err != nil {
		h.failPage(c, err)
		return
	}
	serveVersioned(c, "text/html; charset=utf-8", `"p-`+rendered.version+`"`, rendered.poster)
}

// publicJSON serves GET /api/v1/public/estates/{code}.
func (h *noticeHandlers) publicJSON(c *gin.Context) {
	c.Header("X-Content-Type-Options", "nosniff")
	rendered, err := h.load(c.Request.Context(), c.Param("code"))
	if err != nil {
		fail(c, err)
		return
	}
	serveVersioned(c, "application/json; charset=utf-8", `"j-`+rendered.version+`"`, rendered.json)
}

// qrCode serves GET /notice/{code}/qrcode.png?size=256: a PNG that encodes
// exactly the notice board's URL, at error-correction level M.
func (h *noticeHandlers) qrCode(c *gin.Context) {
	c.Header("X-Content-Type-Options", "nosniff")
	size := DefaultQRSize
	if raw, ok := c.GetQuery("size"); ok {
		n, err := strconv.Atoi(raw)
		if err != nil || n < MinQRSize || n > MaxQRSize {
			abortWith(c, http.StatusUnprocessableEntity, "invalid_qr_size",
				map[string]string{"size": fmt.Sprintf("must be an integer from %d to %d", MinQRSize, MaxQRSize)}, nil)
			return
		}
		size = n
	}
	code := c.Param("code")
	if _, err := h.svc.NoticeVersion(c.Request.Context(), code); err != nil {
		fail(c, err)
		return
	}
	target := h.noticeURL(code)
	png, err := h.cache.qrCode(target, size)
	if err != nil {
		fail(c, err)
		return
	}
	digest := sha256.Sum256([]byte(target + "#" + strconv.Itoa(size)))
	serveVersioned(c, "image/png", `"q-`+hex.EncodeToString(digest[:12])+`"`, png)
}

// load returns the rendered board of an estate: from the cache when its
// version is current (one query), else built, rendered and cached. Concurrent
// requests for a changed board build it once.
func (h *noticeHandlers) load(ctx context.Context, code string) (*renderedNotice, error) {
	version, err := h.svc.NoticeVersion(ctx, code)
	if err != nil {
		return nil, err
	}
	if rendered := h.cache.lookup(code, version); rendered != nil {
		return rendered, nil
	}
	unlock := h.cache.lockBuild(code)
	defer unlock()
	if rendered := h.cache.lookup(code, version); rendered != nil {
		return rendered, nil
	}
	board, err := h.svc.GetNoticeBoard(ctx, code)
	if err != nil {
		return nil, err
	}
	rendered, err := h.render(board)
	if err != nil {
		return nil, err
	}
	h.cache.store(code, rendered)
	return rendered, nil
}

// render produces the three representations of a board.
func (h *noticeHandlers) render(board *service.NoticeBoard) (*renderedNotice, error) {
	code := board.Estate.Code
	noticeURL := h.noticeURL(code)
	qrPath := "/notice/" + url.PathEscape(code) + "/qrcode.png"
	jsonPath := "/api/v1/public/estates/" + url.PathEscape(code)
	rendered := &renderedNotice{version: board.Version}
	var buf bytes.Buffer
	if err := pageTemplates.ExecuteTemplate(&buf, "notice.html", newNoticePage(board, noticeURL, qrPath, jsonPath)); err != nil {
		return nil, err
	}
	rendered.html = bytes.Clone(buf.Bytes())
	buf.Reset()
	poster := posterPage{Name: board.Estate.Name, Community: board.Estate.Community, ContactPhone: board.Estate.ContactPhone,
		NoticeURL: noticeURL, QRPath: qrPath + "?size=" + strconv.Itoa(posterQRSize)}
	if err := pageTemplates.ExecuteTemplate(&buf, "poster.html", poster); err != nil {
		return nil, err
	}
	rendered.poster = bytes.Clone(buf.Bytes())
	raw, err := json.Marshal(toNoticeJSON(board, noticeURL, h.publicBaseURL+qrPath))
	if err != nil {
		return nil, err
	}
	rendered.json = raw
	return rendered, nil
}

// posterPage is what the poster template shows.
type posterPage struct {
	Name, Community, ContactPhone, NoticeURL, QRPath string
}

// errorPage is what the error template shows.
type errorPage struct {
	Title, Message string
}

// failPage answers a public page's error as an HTML page in Chinese.
func (h *noticeHandlers) failPage(c *gin.Context, err error) {
	se := service.AsError(err)
	status := statusOf[se.Kind]
	page := errorPage{Title: "服务暂时不可用", Message: "请稍后再试。"}
	switch {
	case se.Kind == service.KindNotFound:
		page = errorPage{Title: "未找到该小区的公示", Message: "二维码或链接可能已失效，请向社区工作人员确认小区公示地址。"}
	case se.Kind == service.KindInternal:
		slog.ErrorContext(c.Request.Context(), "internal error", "request_id", requestID(c), "path", c.FullPath(), "error", err)
	}
	var buf bytes.Buffer
	if err := pageTemplates.ExecuteTemplate(&buf, "error.html", page); err != nil {
		c.Status(http.StatusInternalServerError)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// setPageSecurityHeaders sets the headers of every public HTML page.
func setPageSecurityHeaders(c *gin.Context) {
	c.Header("Content-Security-Policy", noticeCSP)
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("X-Frame-Options", "DENY")
	c.Header("Referrer-Policy", "no-referrer")
}

// serveVersioned answers with the body, or 304 when the caller already has this version.
func serveVersioned(c *gin.Context, contentType, etag string, body []byte) {
	c.Header("ETag", etag)
	c.Header("Cache-Control", noticeCacheControl)
	if etagMatches(c.GetHeader("If-None-Match"), etag) {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, contentType, body)
}

// etagMatches implements If-None-Match's weak comparison: any listed tag, or "*".
func etagMatches(header, etag string) bool {
	for part := range strings.SplitSeq(header, ",") {
		part = strings.TrimSpace(part)
		if part == "*" || strings.TrimPrefix(part, "W/") == etag {
			return true
		}
	}
	return false
}

// encodeQR renders a QR code PNG of the text at error-correction level M.
func encodeQR(text string, size int) ([]byte, error) {
	return qrcode.Encode(text, qrcode.Medium, size)
}

package api

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

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
	htmlContentType    = "text/html; charset=utf-8"
	jsonContentType    = "application/json; charset=utf-8"
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

// noticeMessages are the texts of this part's error codes (messages).
var noticeMessages = map[string][2]string{
	"invalid_qr_size": {"二维码尺寸须为 128 到 1024 之间的整数（像素）", "size must be an integer from 128 to 1024 (pixels)"},
}

// noticeHandlers serve the public notice board, its JSON, QR code and poster
// from a cache of rendered boards kept under each board's version.
type noticeHandlers struct {
	svc           *service.Service
	publicBaseURL string
	uploadDir     string
	cache         *noticeCache
}

// noticeURL is the stable public address of an estate's notice board: what the QR code encodes.
func (h *noticeHandlers) noticeURL(code string) string {
	return h.publicBaseURL + "/notice/" + url.PathEscape(code)
}

// attachmentPath is the path under which the estate's public attachments are served.
func (h *noticeHandlers) attachmentPath(code string) string {
	return "/notice/" + url.PathEscape(code) + "/attachments/"
}

// page serves GET /notice/{code}.
func (h *noticeHandlers) page(c *gin.Context) {
	setPublicPageHeaders(c.Writer.Header())
	rendered, err := h.load(c.Request.Context(), c.Param("code"))
	if err != nil {
		h.failPage(c, err)
		return
	}
	servePrepared(c, rendered.html)
}

// poster serves GET /notice/{code}/poster, the printable A4 page for the notice wall.
func (h *noticeHandlers) poster(c *gin.Context) {
	setPublicPageHeaders(c.Writer.Header())
	rendered, err := h.load(c.Request.Context(), c.Param("code"))
	if err != nil {
		h.failPage(c, err)
		return
	}
	servePrepared(c, rendered.poster)
}

// publicJSON serves GET /api/v1/public/estates/{code}.
func (h *noticeHandlers) publicJSON(c *gin.Context) {
	c.Writer.Header()["X-Content-Type-Options"] = nosniffValue
	rendered, err := h.load(c.Request.Context(), c.Param("code"))
	if err != nil {
		fail(c, err)
		return
	}
	servePrepared(c, rendered.json)
}

// attachment serves GET /notice/{code}/attachments/{upload_id}: a drawing or
// photo attached to one of the estate's plan revisions (never an objection's photo).
func (h *noticeHandlers) attachment(c *gin.Context) {
	upload, file, err := h.svc.OpenNoticeAttachment(c.Request.Context(), c.Param("code"), h.uploadDir, c.Param("upload_id"))
	if err != nil {
		fail(c, err)
		return
	}
	defer file.Close()
	c.Header("Content-Type", upload.ContentType)
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Cache-Control", "public, max-age=86400")
	setDisposition(c, upload)
	http.ServeContent(c.Writer, c.Request, "", upload.CreatedAt, file)
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
	if _, err := h.load(c.Request.Context(), code); err != nil {
		fail(c, err)
		return
	}
	target := h.noticeURL(code)
	image, err := h.cache.qrCode(target, size)
	if err != nil {
		fail(c, err)
		return
	}
	servePrepared(c, image)
}

// load returns the rendered board of an estate. A board confirmed within
// noticeFreshFor is served from memory; after that one request asks the
// database for the board's version (one query) while the others keep being
// served, and a changed board is built once and cached. When the database
// cannot answer, the last board is served rather than an error.
func (h *noticeHandlers) load(ctx context.Context, code string) (*renderedNotice, error) {
	cached, serve := h.cache.current(code, time.Now())
	if serve {
		return cached, nil
	}
	rendered, err := h.refresh(ctx, code, cached)
	if err != nil {
		h.cache.release(code)
		if se := service.AsError(err); se.Kind == service.KindNotFound {
			h.cache.forget(code)
		} else if cached != nil {
			return cached, nil
		}
		return nil, err
	}
	return rendered, nil
}

// refresh confirms the cached board's version or builds the current one.
func (h *noticeHandlers) refresh(ctx context.Context, code string, cached *renderedNotice) (*renderedNotice, error) {
	checkedAt := time.Now()
	version, err := h.svc.NoticeVersion(ctx, code)
	if err != nil {
		return nil, err
	}
	if cached != nil && cached.version == version {
		h.cache.store(code, cached, checkedAt)
		return cached, nil
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
	h.cache.store(code, rendered, checkedAt)
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
	page := newNoticePage(board, noticeURL, qrPath, jsonPath, h.attachmentPath(code))
	if err := pageTemplates.ExecuteTemplate(&buf, "notice.html", page); err != nil {
		return nil, err
	}
	rendered.html = prepareBody(htmlContentType, "h-"+board.Version, buf.Bytes(), true)
	buf.Reset()
	poster := posterPage{Name: board.Estate.Name, Community: board.Estate.Community, ContactPhone: board.Estate.ContactPhone,
		NoticeURL: noticeURL, QRPath: qrPath + "?size=" + strconv.Itoa(posterQRSize)}
	if err := pageTemplates.ExecuteTemplate(&buf, "poster.html", poster); err != nil {
		return nil, err
	}
	rendered.poster = prepareBody(htmlContentType, "p-"+board.Version, buf.Bytes(), true)
	raw, err := json.Marshal(toNoticeJSON(board, noticeURL, h.publicBaseURL+qrPath, h.publicBaseURL+h.attachmentPath(code)))
	if err != nil {
		return nil, err
	}
	rendered.json = prepareBody(jsonContentType, "j-"+board.Version, raw, true)
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

// The public pages' error answers, rendered once: their text never changes.
var (
	notFoundPage = renderErrorPage(errorPage{Title: "未找到该小区的公示",
		Message: "二维码或链接可能已失效，请向社区工作人员确认小区公示地址。"})
	unavailablePage = renderErrorPage(errorPage{Title: "服务暂时不可用", Message: "请稍后再试。"})
)

// renderErrorPage renders the error template (a broken template stops the
// program at start, as template.Must does).
func renderErrorPage(page errorPage) []byte {
	var buf bytes.Buffer
	if err := pageTemplates.ExecuteTemplate(&buf, "error.html", page); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// failPage answers a public page's error as an HTML page in Chinese.
func (h *noticeHandlers) failPage(c *gin.Context, err error) {
	se := service.AsError(err)
	body := unavailablePage
	switch {
	case se.Kind == service.KindNotFound:
		body = notFoundPage
	case se.Kind == service.KindInternal:
		slog.ErrorContext(c.Request.Context(), "internal error", "request_id", requestID(c), "path", c.FullPath(), "error", err)
	}
	c.Header("Cache-Control", "no-store")
	c.Data(statusOf[se.Kind], htmlContentType, body)
}

// encodeQR renders a QR code PNG of the text at error-correction level M.
func encodeQR(text string, size int) ([]byte, error) {
	return qrcode.Encode(text, qrcode.Medium, size)
}

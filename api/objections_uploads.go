package api

import (
	"errors"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/model"
	"minyi/service"
)

// uploadOverheadBytes is what a multipart request may carry besides the file
// (boundaries, part headers, the estate_id field).
const uploadOverheadBytes = 64 << 10

type uploadResponse struct {
	ID          string  `json:"id"`
	ContentType string  `json:"content_type"`
	SizeBytes   int64   `json:"size_bytes"`
	SHA256      string  `json:"sha256"`
	EstateID    *string `json:"estate_id"`
	URL         string  `json:"url"`
	CreatedAt   Time    `json:"created_at"`
}

func toUpload(u *model.Upload) uploadResponse {
	return uploadResponse{ID: u.ID, ContentType: u.ContentType, SizeBytes: u.SizeBytes, SHA256: u.SHA256,
		EstateID: u.EstateID, URL: "/api/v1/uploads/" + u.ID, CreatedAt: Time(u.CreatedAt)}
}

// uploadDir is where uploaded files are stored.
func (a *API) uploadDir() string { return filepath.Join(a.cfg.DataDir, "uploads") }

// createUpload stores one file sent as the multipart part "file" (10 MiB at
// most), with an optional "estate_id" field.
func (a *API) createUpload(c *gin.Context) {
	if !strings.HasPrefix(c.ContentType(), "multipart/form-data") {
		abortWith(c, http.StatusUnprocessableEntity, "validation_failed",
			map[string]string{"file": "send multipart/form-data with the file in the part named file"}, nil)
		return
	}
	// Refuse an unbound resident or a spent quota before receiving the file.
	if err := a.svc.MayUpload(c.Request.Context(), actorOf(c)); err != nil {
		fail(c, err)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, service.MaxUploadBytes+uploadOverheadBytes)
	if err := c.Request.ParseMultipartForm(1 << 20); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			abortWith(c, http.StatusRequestEntityTooLarge, "file_too_large", nil, nil)
			return
		}
		abortWith(c, http.StatusBadRequest, "malformed_multipart", nil, nil)
		return
	}
	defer c.Request.MultipartForm.RemoveAll()
	file, header, err := c.Request.FormFile("file")
	if err != nil {
		abortWith(c, http.StatusUnprocessableEntity, "validation_failed", map[string]string{"file": "is required"}, nil)
		return
	}
	defer file.Close()
	if header.Size > service.MaxUploadBytes {
		abortWith(c, http.StatusRequestEntityTooLarge, "file_too_large", nil, nil)
		return
	}
	u, err := a.svc.SaveUpload(c.Request.Context(), actorOf(c), a.uploadDir(), c.Request.FormValue("estate_id"), file)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toUpload(u))
}

// getUpload serves a stored file to a caller allowed to see it.
func (a *API) getUpload(c *gin.Context) {
	u, f, err := a.svc.OpenUpload(c.Request.Context(), actorOf(c), a.uploadDir(), c.Param("upload_id"))
	if err != nil {
		fail(c, err)
		return
	}
	defer f.Close()
	c.Header("Content-Type", u.ContentType)
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Cache-Control", "private, max-age=3600")
	setDisposition(c, u)
	http.ServeContent(c.Writer, c.Request, "", u.CreatedAt, f)
}

// setDisposition names a served upload by its id. A PDF can carry scripts
// and links: it is downloaded (attachment) and sandboxed should a browser
// show it anyway, never rendered in the site's origin; pictures show inline.
func setDisposition(c *gin.Context, u *model.Upload) {
	disposition := "inline"
	if u.ContentType == service.TypePDF {
		disposition = "attachment"
		c.Header("Content-Security-Policy", "sandbox")
	}
	c.Header("Content-Disposition", disposition+`; filename="`+u.ID+filepath.Ext(u.StoredName)+`"`)
}

// uploadMessages are the texts of this part's error codes (messages).
var uploadMessages = map[string][2]string{
	"picture_too_large":          {"图片像素过多，请缩小后再上传（不超过 5000 万像素）", "the picture has more than 50 megapixels"},
	"pdf_metadata_unremovable":   {"无法去除该 PDF 中的作者等信息，请另存为普通 PDF 后再上传", "the PDF's author and title cannot be removed; save it again as a plain PDF"},
	"upload_quota_exceeded":      {"今日上传文件已达上限，请稍后再试", "you reached the daily upload limit; try again later"},
	"household_binding_required": {"请先绑定房屋后再上传文件", "bind your household before uploading files"},
}

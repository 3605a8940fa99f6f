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
	c.Header("Content-Disposition", `inline; filename="`+u.ID+filepath.Ext(u.StoredName)+`"`)
	http.ServeContent(c.Writer, c.Request, "", u.CreatedAt, f)
}

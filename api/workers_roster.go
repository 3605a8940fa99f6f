package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/service"
)

// MaxImportBytes bounds an uploaded roster file (20 MiB); the multipart
// envelope may add a little.
const MaxImportBytes = 20 << 20

const multipartOverhead = 64 << 10

type importIssueJSON struct {
	Sheet   string `json:"sheet,omitempty"`
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

type importColumnJSON struct {
	Sheet  string  `json:"sheet,omitempty"`
	Index  int     `json:"index"`
	Column string  `json:"column"`
	Header string  `json:"header"`
	Field  *string `json:"field"`
}

type importWarningJSON struct {
	Sheet   string `json:"sheet,omitempty"`
	Column  string `json:"column,omitempty"`
	Header  string `json:"header,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

type importResponse struct {
	DryRun     bool                `json:"dry_run"`
	Written    bool                `json:"written"`
	Created    int                 `json:"created"`
	Updated    int                 `json:"updated"`
	Unchanged  int                 `json:"unchanged"`
	Skipped    int                 `json:"skipped"`
	Errors     []importIssueJSON   `json:"errors"`
	ErrorCount int                 `json:"error_count"`
	Columns    []importColumnJSON  `json:"columns"`
	Warnings   []importWarningJSON `json:"warnings"`
}

// importColumns renders how each header was read; an ignored column's field is null.
func importColumns(columns []service.ImportColumn) []importColumnJSON {
	out := make([]importColumnJSON, len(columns))
	for i, c := range columns {
		out[i] = importColumnJSON{Sheet: c.Sheet, Index: c.Index, Column: c.Column, Header: c.Header}
		if c.Field != "" {
			field := c.Field
			out[i].Field = &field
		}
	}
	return out
}

// importWarnings renders the warnings in the caller's language.
func importWarnings(c *gin.Context, warnings []service.ImportWarning) []importWarningJSON {
	out := make([]importWarningJSON, len(warnings))
	for i, w := range warnings {
		message := w.Message
		if english(c) {
			message = w.Reason
		}
		out[i] = importWarningJSON{Sheet: w.Sheet, Column: w.Column, Header: w.Header, Code: w.Code, Message: message}
	}
	return out
}

// importIssues renders the problems in the caller's language.
func importIssues(c *gin.Context, issues []service.ImportIssue) []importIssueJSON {
	out := make([]importIssueJSON, len(issues))
	for i, issue := range issues {
		message := issue.Message
		if english(c) {
			message = issue.Reason
		}
		out[i] = importIssueJSON{Sheet: issue.Sheet, Row: issue.Row, Column: issue.Column, Field: issue.Field, Message: message}
	}
	return out
}

func (a *API) importHouseholds(c *gin.Context) {
	dryRun, ok := queryBool(c, "dry_run")
	if !ok {
		return
	}
	skipInvalid, ok := queryBool(c, "skip_invalid")
	if !ok {
		return
	}
	file, ok := uploadedFile(c)
	if !ok {
		return
	}
	report, err := a.svc.ImportHouseholds(c.Request.Context(), actorOf(c), c.Param("estate_id"), file,
		service.ImportOptions{DryRun: dryRun, SkipInvalid: skipInvalid})
	var refused *service.ImportFileError
	if errors.As(err, &refused) {
		// A file that cannot be read or is over a limit: 413 for a size
		// limit, 422 otherwise, the reason naming the limit.
		status, code, reason := http.StatusUnprocessableEntity, "validation_failed", refused.Message
		if refused.TooLarge {
			status, code = http.StatusRequestEntityTooLarge, "body_too_large"
		}
		if english(c) {
			reason = refused.Reason
		}
		abortWith(c, status, code, map[string]string{"file": reason}, nil)
		return
	}
	if err != nil {
		fail(c, err)
		return
	}
	// As the contract says, an import answers 200 with its errors; when a
	// row is invalid and skip_invalid is off, "written" is false and nothing
	// changed.
	issues := importIssues(c, report.Errors)
	c.JSON(http.StatusOK, importResponse{DryRun: report.DryRun, Written: report.Written, Created: report.Created,
		Updated: report.Updated, Unchanged: report.Unchanged, Skipped: report.Skipped, Errors: issues,
		ErrorCount: report.ErrorCount, Columns: importColumns(report.Columns), Warnings: importWarnings(c, report.Warnings)})
}

// uploadedFile reads the multipart field "file", at most MaxImportBytes
// (the global body limit does not apply to multipart requests). It writes
// the error and returns false on failure.
func uploadedFile(c *gin.Context) (service.RosterFile, bool) {
	if c.Request.ContentLength > MaxImportBytes+multipartOverhead {
		abortWith(c, http.StatusRequestEntityTooLarge, "body_too_large", nil, nil)
		return service.RosterFile{}, false
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, MaxImportBytes+multipartOverhead)
	part, header, err := c.Request.FormFile("file")
	if err != nil {
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge) || strings.Contains(err.Error(), "request body too large"):
			abortWith(c, http.StatusRequestEntityTooLarge, "body_too_large", nil, nil)
		case errors.Is(err, http.ErrNotMultipart) || errors.Is(err, http.ErrMissingBoundary):
			abortWith(c, http.StatusUnprocessableEntity, "validation_failed",
				map[string]string{"file": `send the file as multipart/form-data in the field "file"`}, nil)
		case errors.Is(err, http.ErrMissingFile):
			abortWith(c, http.StatusUnprocessableEntity, "validation_failed", map[string]string{"file": "is required"}, nil)
		default:
			abortWith(c, http.StatusBadRequest, "malformed_multipart", nil, nil)
		}
		return service.RosterFile{}, false
	}
	defer part.Close()
	data, err := io.ReadAll(io.LimitReader(part, MaxImportBytes+1))
	if err != nil {
		abortWith(c, http.StatusBadRequest, "malformed_multipart", nil, nil)
		return service.RosterFile{}, false
	}
	if len(data) > MaxImportBytes {
		abortWith(c, http.StatusRequestEntityTooLarge, "body_too_large", nil, nil)
		return service.RosterFile{}, false
	}
	return service.RosterFile{Name: header.Filename, Data: data}, true
}

func (a *API) exportHouseholds(c *gin.Context) {
	sheet, err := a.svc.ExportRoster(c.Request.Context(), actorOf(c), c.Param("estate_id"), c.Query("format"))
	if err != nil {
		fail(c, err)
		return
	}
	sendSpreadsheet(c, sheet, "roster")
}

func (a *API) importTemplate(c *gin.Context) {
	sheet, err := service.ImportTemplate()
	if err != nil {
		fail(c, err)
		return
	}
	sendSpreadsheet(c, sheet, "roster-template")
}

// sendSpreadsheet answers with a download: the Chinese file name for
// browsers that read RFC 6266 filename*, an ASCII one for the others. The
// files hold personal data, so nothing may cache them.
func sendSpreadsheet(c *gin.Context, sheet *service.Spreadsheet, asciiName string) {
	ext := sheet.FileName[strings.LastIndex(sheet.FileName, ".")+1:]
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"; filename*=UTF-8''%s`,
		asciiName, ext, encodeRFC5987(sheet.FileName)))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, sheet.ContentType, sheet.Data)
}

// encodeRFC5987 percent-encodes a UTF-8 file name for filename*.
func encodeRFC5987(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// MaxBodyBytes is the largest JSON request body accepted (1 MiB).
const MaxBodyBytes = 1 << 20

// bindJSON decodes the request body into dst, strictly: unknown fields and
// values of the wrong type are 422 with the field named, malformed JSON is
// 400, an oversized body 413, a body that is not JSON 415. It writes the error and returns false on failure.
func bindJSON(c *gin.Context, dst any) bool {
	if refusedMediaType(c) {
		return false
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			abortWith(c, http.StatusRequestEntityTooLarge, "body_too_large", nil, nil)
			return false
		}
		abortWith(c, http.StatusBadRequest, "malformed_json", nil, nil)
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		abortWith(c, http.StatusBadRequest, "malformed_json", nil, nil)
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typeErr):
			field := typeErr.Field
			if field == "" {
				abortWith(c, http.StatusBadRequest, "malformed_json", nil, nil)
				return false
			}
			abortWith(c, http.StatusUnprocessableEntity, "validation_failed",
				map[string]string{field: "must be of type " + typeErr.Type.String()}, nil)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
			abortWith(c, http.StatusUnprocessableEntity, "unknown_field", map[string]string{name: "unknown field"}, nil)
		default:
			var fieldErr *fieldError
			if errors.As(err, &fieldErr) {
				abortWith(c, http.StatusUnprocessableEntity, "validation_failed", map[string]string{fieldErr.field: fieldErr.reason}, nil)
				return false
			}
			abortWith(c, http.StatusBadRequest, "malformed_json", nil, nil)
		}
		return false
	}
	if dec.More() {
		abortWith(c, http.StatusBadRequest, "malformed_json", nil, nil)
		return false
	}
	if field := nonCanonicalID(dst); field != "" {
		abortWith(c, http.StatusUnprocessableEntity, "validation_failed", map[string]string{field: "must be a lower-case UUID"}, nil)
		return false
	}
	return true
}

// bindOptionalJSON is bindJSON for a body that may be left out: an empty body
// leaves dst as it is.
func bindOptionalJSON(c *gin.Context, dst any) bool {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			abortWith(c, http.StatusRequestEntityTooLarge, "body_too_large", nil, nil)
			return false
		}
		abortWith(c, http.StatusBadRequest, "malformed_json", nil, nil)
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return true
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	return bindJSON(c, dst)
}

// fieldError is returned by custom JSON decoders (areas, times) to name the
// bad field.
type fieldError struct{ field, reason string }

func (e *fieldError) Error() string { return e.field + ": " + e.reason }

// queryInt reads an optional integer query parameter.
func queryInt(c *gin.Context, name string) (int, bool) {
	raw := c.Query(name)
	if raw == "" {
		return 0, true
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		abortWith(c, http.StatusUnprocessableEntity, "validation_failed", map[string]string{name: "must be an integer"}, nil)
		return 0, false
	}
	return n, true
}

// queryOptional returns a pointer to a query parameter's value, or nil when absent.
func queryOptional(c *gin.Context, name string) *string {
	if v, ok := c.GetQuery(name); ok {
		return &v
	}
	return nil
}

// queryBool reads an optional boolean query parameter ("true"/"false"/"1"/"0").
func queryBool(c *gin.Context, name string) (bool, bool) {
	raw := c.Query(name)
	if raw == "" {
		return false, true
	}
	v, err := strconv.ParseBool(raw)
	if err != nil {
		abortWith(c, http.StatusUnprocessableEntity, "validation_failed", map[string]string{name: "must be true or false"}, nil)
		return false, false
	}
	return v, true
}

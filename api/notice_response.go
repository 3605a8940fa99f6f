package api

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// Header values of the public routes, built once: a header set from one of
// these costs the request no allocation. net/http only reads them, and each
// slice is full (len == cap), so that a later Add copies it rather than
// writing into the shared array.
var (
	noticeCacheControlValue = []string{noticeCacheControl}
	noticeCSPValue          = []string{noticeCSP}
	nosniffValue            = []string{"nosniff"}
	frameDenyValue          = []string{"DENY"}
	noReferrerValue         = []string{"no-referrer"}
	varyAcceptEncodingValue = []string{"Accept-Encoding"}
	gzipEncodingValue       = []string{"gzip"}
)

// preparedBody is one version of a public resource with everything its
// answer is made of (body, gzip body, ETags, Content-Length), built once when
// the version is rendered, so that serving it encodes, formats and
// compresses nothing.
type preparedBody struct {
	contentType []string
	plain       encodedBody
	// gzipped is the gzip form; its body is nil when gzip would not shrink the body.
	gzipped encodedBody
}

// encodedBody is a body in one content coding with its ETag and length.
type encodedBody struct {
	body          []byte
	etag          string
	etagValue     []string
	contentLength []string
}

func newEncodedBody(body []byte, etag string) encodedBody {
	return encodedBody{body: body, etag: etag, etagValue: []string{etag}, contentLength: []string{strconv.Itoa(len(body))}}
}

// prepareBody copies body and builds its answer. tag names the version (the
// ETag is tag in quotes; the gzip form's is tag + "-gz"). With compress, the
// body is compressed once here, so that phones on a weak connection download
// a fraction of it and no request pays for compressing.
func prepareBody(contentType, tag string, body []byte, compress bool) *preparedBody {
	p := &preparedBody{contentType: []string{contentType}, plain: newEncodedBody(bytes.Clone(body), `"`+tag+`"`)}
	if !compress {
		return p
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(body); err == nil && zw.Close() == nil && buf.Len() < len(body) {
		p.gzipped = newEncodedBody(bytes.Clone(buf.Bytes()), `"`+tag+`-gz"`)
	}
	return p
}

// setPublicPageHeaders sets the security headers of a public HTML page from
// the pre-built values (the router's securityHeaders sets the last three on
// every answer too; the page does not depend on it).
func setPublicPageHeaders(h http.Header) {
	h["Content-Security-Policy"] = noticeCSPValue
	h["X-Content-Type-Options"] = nosniffValue
	h["X-Frame-Options"] = frameDenyValue
	h["Referrer-Policy"] = noReferrerValue
}

// servePrepared answers with the body, gzip-encoded when the request accepts
// gzip, or 304 when the request's If-None-Match names either form of this
// version (the two forms are one representation's content).
func servePrepared(c *gin.Context, p *preparedBody) {
	h := c.Writer.Header()
	form := &p.plain
	if p.gzipped.body != nil {
		h["Vary"] = varyAcceptEncodingValue
		if acceptsGzip(c.Request.Header["Accept-Encoding"]) {
			form = &p.gzipped
		}
	}
	h["Etag"] = form.etagValue
	h["Cache-Control"] = noticeCacheControlValue
	if inm := c.Request.Header["If-None-Match"]; inm != nil &&
		(etagMatches(inm, p.plain.etag) || (p.gzipped.body != nil && etagMatches(inm, p.gzipped.etag))) {
		c.Status(http.StatusNotModified)
		return
	}
	h["Content-Type"] = p.contentType
	h["Content-Length"] = form.contentLength
	if form == &p.gzipped {
		h["Content-Encoding"] = gzipEncodingValue
	}
	c.Status(http.StatusOK)
	_, _ = c.Writer.Write(form.body) // a client that left is the client's business
}

// acceptsGzip reads Accept-Encoding (all its lines): gzip is accepted when it
// is listed with a q above 0, or when it is not listed and "*" is, with a q above 0.
func acceptsGzip(lines []string) bool {
	wildcard := false
	for _, line := range lines {
		for rest := line; rest != ""; {
			var part string
			part, rest, _ = strings.Cut(rest, ",")
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.TrimSpace(coding)
			switch {
			case strings.EqualFold(coding, "gzip"):
				return qualityAboveZero(params)
			case coding == "*":
				wildcard = qualityAboveZero(params)
			}
		}
	}
	return wildcard
}

// qualityAboveZero reads the parameters after a coding ("q=0.5"): true
// unless they give q as zero (or as something that is not a number).
func qualityAboveZero(params string) bool {
	for rest := params; rest != ""; {
		var param string
		param, rest, _ = strings.Cut(rest, ";")
		name, value, _ := strings.Cut(param, "=")
		if !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		return err == nil && q > 0
	}
	return true
}

// etagMatches implements If-None-Match's weak comparison over all its lines:
// any listed tag, or "*".
func etagMatches(lines []string, etag string) bool {
	for _, line := range lines {
		for rest := line; rest != ""; {
			var part string
			part, rest, _ = strings.Cut(rest, ",")
			part = strings.TrimSpace(part)
			if part == "*" || strings.TrimPrefix(part, "W/") == etag {
				return true
			}
		}
	}
	return false
}

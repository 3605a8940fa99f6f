package api

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// errorCodeCall finds the codes the service and the API give their errors:
// service.NotFound("x"), Conflict("x", ...), abortWith(c, status, "x", ...).
var errorCodeCall = regexp.MustCompile(`\b(?:Invalid|NotFound|Conflict|Forbidden|Unauthenticated|RateLimited|Unavailable)\("([a-z_]+)"|abortWith\(c, [^,]+, "([a-z_]+)"`)

// TestEveryErrorCodeHasItsTexts: every error code written in the service
// or the API has a Chinese and an English text in the one message table.
// Before: parts registered their texts from init functions, and a code
// with no text fell back to its status's generic message.
func TestEveryErrorCodeHasItsTexts(t *testing.T) {
	files, err := filepath.Glob("../service/*.go")
	if err != nil {
		t.Fatal(err)
	}
	apiFiles, _ := filepath.Glob("*.go")
	codes := map[string]string{}
	for _, file := range append(files, apiFiles...) {
		if filepath.Ext(file) != ".go" || regexp.MustCompile(`_test\.go$`).MatchString(file) {
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range errorCodeCall.FindAllStringSubmatch(string(src), -1) {
			code := m[1] + m[2]
			codes[code] = file
		}
	}
	if len(codes) < 40 {
		t.Fatalf("found only %d error codes: the pattern no longer matches the code", len(codes))
	}
	for code, file := range codes {
		texts, ok := messages[code]
		if !ok {
			t.Errorf("%s: error code %q has no texts in messages", file, code)
			continue
		}
		if texts[0] == "" || texts[1] == "" || !regexp.MustCompile(`\p{Han}`).MatchString(texts[0]) {
			t.Errorf("error code %q: texts %q need Chinese first, then English", code, texts)
		}
	}
}

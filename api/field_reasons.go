package api

import (
	"github.com/gin-gonic/gin"

	"minyi/service/fieldtext"
)

// Field reasons (the "fields" of an error envelope) are written in English
// where they arise (the service, the decoders); service/fieldtext is the one
// place that gives each its Chinese text (the console uses it too). People read Chinese by default and the
// English text with Accept-Language: en. TestEveryFieldReasonHasChinese
// sends bad requests to every writing route and fails on a reason without a
// Chinese text there; TestFieldReasonLiteralsHaveChinese checks every reason
// written as a literal in the code.

// chineseReason, hanPattern and englishWordPattern are the catalogue's, for the tests.
var (
	chineseReason      = fieldtext.Chinese
	hanPattern         = fieldtext.HanPattern
	englishWordPattern = fieldtext.EnglishWordPattern
)

// localiseFields gives the per-field reasons of an error envelope in the
// caller's language: English as written with Accept-Language: en, Chinese
// otherwise (a reason missing from the catalogue is shown with a Chinese
// lead-in rather than bare English; the tests keep the catalogue whole).
func localiseFields(c *gin.Context, fields map[string]string) map[string]string {
	if len(fields) == 0 || english(c) {
		return fields
	}
	out := make(map[string]string, len(fields))
	for field, reason := range fields {
		if zh, ok := fieldtext.Chinese(reason); ok {
			out[field] = zh
		} else {
			out[field] = "填写有误（" + reason + "）"
		}
	}
	return out
}

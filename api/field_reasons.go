package api

import "github.com/gin-gonic/gin"

// localiseFields gives the per-field reasons of an error envelope in the
// caller's language (placeholder until the reason catalogue lands).
func localiseFields(c *gin.Context, fields map[string]string) map[string]string {
	return fields
}

package console

import (
	"net/http"
	"path/filepath"

	"github.com/gin-gonic/gin"

	"minyi/service"
)

func (c *Console) uploadRoutes(s *gin.RouterGroup) {
	s.GET("/uploads/:upload_id", c.downloadUpload)
}

// downloadUpload serves a stored file (a precondition's evidence, an
// acceptance photo) to a staff member allowed to see what it is attached to.
// A PDF is downloaded and sandboxed, never shown in the console's origin;
// photos show inline.
func (c *Console) downloadUpload(g *gin.Context) {
	u, f, err := c.svc.OpenUpload(g.Request.Context(), actorOf(g), c.cfg.UploadDir, g.Param("upload_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	defer f.Close()
	disposition := "inline"
	if u.ContentType == service.TypePDF {
		disposition = "attachment"
		g.Header("Content-Security-Policy", "sandbox")
	}
	g.Header("Content-Type", u.ContentType)
	g.Header("Content-Disposition", disposition+`; filename="`+u.ID+filepath.Ext(u.StoredName)+`"`)
	g.Header("Cache-Control", "private, no-store")
	http.ServeContent(g.Writer, g.Request, "", u.CreatedAt, f)
}

package console

import (
	"encoding/base64"
	"io"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/model"
	"minyi/service"
)

// maxRosterBytes bounds an uploaded roster (a 50,000-row workbook is well under it).
const maxRosterBytes = 8 << 20

func (c *Console) rosterRoutes(s *gin.RouterGroup) {
	s.GET("/estates/:estate_id/import", c.importForm)
	s.POST("/estates/:estate_id/import", c.previewImport)
	s.POST("/estates/:estate_id/import/confirm", c.confirmImport)
	s.GET("/import-template", c.importTemplate)
}

type importData struct {
	Estate   model.Estate
	Report   *service.ImportReport
	FileName string
	FileData string // base64, carried to the confirmation
}

func (c *Console) importForm(g *gin.Context) {
	e, err := c.svc.GetEstate(g.Request.Context(), actorOf(g), g.Param("estate_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	c.render(g, http.StatusOK, "import", page{Title: "导入名册", Data: importData{Estate: *e}})
}

// previewImport checks the uploaded roster without writing it and shows the
// counts and every problem by Excel row and column.
func (c *Console) previewImport(g *gin.Context) {
	ctx, actor := g.Request.Context(), actorOf(g)
	e, err := c.svc.GetEstate(ctx, actor, g.Param("estate_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	d := importData{Estate: *e}
	file, err := readRoster(g)
	if err == nil {
		d.FileName, d.FileData = file.Name, base64.StdEncoding.EncodeToString(file.Data)
		d.Report, err = c.svc.ImportHouseholds(ctx, actor, e.ID, file, service.ImportOptions{DryRun: true})
	}
	if err != nil {
		status, message, fields := c.explain(g, err)
		c.render(g, status, "import", page{Title: "导入名册", Error: message, Fields: fields, Data: importData{Estate: *e}})
		return
	}
	c.render(g, http.StatusOK, "import", page{Title: "导入名册：预览", Data: d})
}

// confirmImport writes the previewed roster (the valid rows only, when asked).
func (c *Console) confirmImport(g *gin.Context) {
	ctx, actor := g.Request.Context(), actorOf(g)
	e, err := c.svc.GetEstate(ctx, actor, g.Param("estate_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	data, derr := base64.StdEncoding.DecodeString(g.PostForm("file_data"))
	if derr != nil || len(data) == 0 || len(data) > maxRosterBytes {
		c.errorPage(g, http.StatusUnprocessableEntity, "请重新上传名册文件。")
		return
	}
	file := service.RosterFile{Name: filepath.Base(g.PostForm("file_name")), Data: data}
	report, err := c.svc.ImportHouseholds(ctx, actor, e.ID, file, service.ImportOptions{SkipInvalid: g.PostForm("skip_invalid") == "1"})
	if err != nil {
		status, message, fields := c.explain(g, err)
		c.render(g, status, "import", page{Title: "导入名册", Error: message, Fields: fields, Data: importData{Estate: *e}})
		return
	}
	d := importData{Estate: *e, Report: report}
	c.render(g, http.StatusOK, "import", page{Title: "导入名册：完成", Data: d})
}

func readRoster(g *gin.Context) (service.RosterFile, error) {
	fh, err := g.FormFile("file")
	if err != nil {
		return service.RosterFile{}, service.InvalidField("file", "请选择 .xlsx 或 .csv 文件")
	}
	if fh.Size > maxRosterBytes {
		return service.RosterFile{}, service.Invalid("file_too_large", map[string]string{"file": "名册文件最大 8 MB"})
	}
	f, err := fh.Open()
	if err != nil {
		return service.RosterFile{}, service.InvalidField("file", "无法读取")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxRosterBytes+1))
	if err != nil || len(data) > maxRosterBytes {
		return service.RosterFile{}, service.InvalidField("file", "无法读取")
	}
	return service.RosterFile{Name: filepath.Base(strings.TrimSpace(fh.Filename)), Data: data}, nil
}

// importTemplate serves the roster template workbook.
func (c *Console) importTemplate(g *gin.Context) {
	sheet, err := service.ImportTemplate()
	if err != nil {
		c.failPage(g, err)
		return
	}
	g.Header("Content-Disposition", `attachment; filename="roster-template.xlsx"`)
	g.Data(http.StatusOK, sheet.ContentType, sheet.Data)
}

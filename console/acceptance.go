package console

import (
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"minyi/model"
	"minyi/service"
)

func (c *Console) acceptanceRoutes(s *gin.RouterGroup) {
	s.GET("/estates/:estate_id/acceptances", c.acceptances)
	s.POST("/estates/:estate_id/acceptances", c.recordAcceptance)
	s.POST("/acceptances/:acceptance_id/items/:index/rectify", c.rectifyItem)
}

// Keys under which a refused rectification passes what was typed to the page.
const (
	rectifyItemKey = "rectify_item"
	rectifyNoteKey = "rectify_note"
)

// acceptanceRows is how many item and signature rows the form offers.
const acceptanceRows = 6

// signatureRoles are the signing roles, in the form's order.
var signatureRoles = []string{"owner_representative", "supervisor", "builder", "designer", "street_office"}

type acceptanceRow struct {
	Name, Result, Note, Role string
}

type acceptancesData struct {
	Estate      model.Estate
	Acceptances []service.AcceptanceView
	CanRecord   bool
	Items       []acceptanceRow
	Signatures  []acceptanceRow
	Roles       []string
	// RectifyItem and RectifyNote are a refused rectification's item id and typed note.
	RectifyItem, RectifyNote string
}

// acceptances lists the estate's joint acceptances (items pass or rectify,
// signatures by role) with, for admins and workers, the form to record one
// and to mark an item rectified.
func (c *Console) acceptances(g *gin.Context) {
	c.showAcceptances(g, http.StatusOK, nil, nil, "", nil)
}

func (c *Console) showAcceptances(g *gin.Context, status int, items, signatures []acceptanceRow, message string, fields []fieldProblem) {
	ctx, actor := g.Request.Context(), actorOf(g)
	e, err := c.svc.GetEstate(ctx, actor, g.Param("estate_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	d := acceptancesData{Estate: *e, CanRecord: service.RoleAllowed(service.ActRecordAcceptance, actor.Role), Roles: signatureRoles}
	if d.Acceptances, _, err = c.svc.ListAcceptances(ctx, actor, e.ID, service.Page{Limit: service.MaxPageLimit}); err != nil {
		c.failPage(g, err)
		return
	}
	d.Items, d.Signatures = padRows(items), padRows(signatures)
	d.RectifyItem, d.RectifyNote = g.GetString(rectifyItemKey), g.GetString(rectifyNoteKey)
	c.render(g, status, "acceptances", page{Title: "联合验收", Error: message, Fields: fields, Data: d})
}

func padRows(rows []acceptanceRow) []acceptanceRow {
	for len(rows) < acceptanceRows {
		rows = append(rows, acceptanceRow{})
	}
	return rows
}

// recordAcceptance records an acceptance from the form's filled rows (blank
// rows are skipped), with each item's photos (file field item_photos_<row>),
// stored first and attached by their ids.
func (c *Console) recordAcceptance(g *gin.Context) {
	ctx, actor, estateID := g.Request.Context(), actorOf(g), g.Param("estate_id")
	names, results, notes := g.PostFormArray("item_name"), g.PostFormArray("item_result"), g.PostFormArray("item_note")
	signers, roles := g.PostFormArray("signer_name"), g.PostFormArray("signer_role")
	var photos map[string][]*multipart.FileHeader
	if mf, ferr := g.MultipartForm(); ferr == nil && mf != nil {
		photos = mf.File
	}
	var in service.AcceptanceInput
	var items, signatures []acceptanceRow
	var itemPhotos [][]*multipart.FileHeader
	for i := range names {
		row := acceptanceRow{Name: names[i], Result: at(results, i), Note: at(notes, i)}
		files := chosenFiles(photos["item_photos_"+strconv.Itoa(i)])
		if strings.TrimSpace(row.Name) == "" && strings.TrimSpace(row.Note) == "" && len(files) == 0 {
			continue
		}
		items = append(items, row)
		itemPhotos = append(itemPhotos, files)
		in.Items = append(in.Items, service.AcceptanceItemInput{Name: row.Name, Result: row.Result, Note: row.Note})
	}
	for i := range signers {
		row := acceptanceRow{Name: signers[i], Role: at(roles, i)}
		if strings.TrimSpace(row.Name) == "" {
			continue
		}
		signatures = append(signatures, row)
		in.Signatures = append(in.Signatures, service.SignatureInput{Name: row.Name, Role: row.Role})
	}
	var err error
	if !service.RoleAllowed(service.ActRecordAcceptance, actor.Role) {
		err = service.Forbidden("forbidden")
	}
	for i := range itemPhotos {
		if err != nil || surelyRefused(in) {
			break // the service refuses without the photos; storing them would change something
		}
		if len(itemPhotos[i]) > maxItemPhotos {
			err = service.InvalidField("items["+strconv.Itoa(i)+"].photo_upload_ids", "at most 9 photos")
			break
		}
		in.Items[i].Photos, err = c.saveUploads(g, estateID, itemPhotos[i])
	}
	if err == nil {
		_, err = c.svc.RecordAcceptance(ctx, actor, estateID, in)
	}
	if err != nil {
		status, message, fields := c.explain(g, err)
		if status == http.StatusNotFound || status == http.StatusForbidden {
			c.failPage(g, err)
			return
		}
		if len(photos) > 0 {
			message += "（照片需重新选择。）"
		}
		c.showAcceptances(g, status, items, signatures, message, fields)
		return
	}
	g.Redirect(http.StatusSeeOther, Prefix+"/estates/"+estateID+"/acceptances?done=acceptance_recorded")
}

// surelyRefused tells whether the service is bound to refuse the acceptance
// (each check is one of its rules), so that no photo is stored for nothing.
func surelyRefused(in service.AcceptanceInput) bool {
	if len(in.Items) == 0 || len(in.Signatures) == 0 {
		return true
	}
	for _, it := range in.Items {
		name, note := strings.TrimSpace(it.Name), strings.TrimSpace(it.Note)
		if name == "" || it.Result != service.ItemPass && it.Result != service.ItemRectify || it.Result == service.ItemRectify && note == "" ||
			utf8.RuneCountInString(note) > maxNoteRunes {
			return true
		}
	}
	for _, sg := range in.Signatures {
		if strings.TrimSpace(sg.Name) == "" || service.SignatureRoleLabel(sg.Role) == "" {
			return true
		}
	}
	return false
}

// maxNoteRunes is the longest note the service takes.
const maxNoteRunes = 500

// maxItemPhotos is how many photos one acceptance item takes (as the service allows).
const maxItemPhotos = 9

// chosenFiles drops the empty part a file input without a file sends.
func chosenFiles(files []*multipart.FileHeader) []*multipart.FileHeader {
	var out []*multipart.FileHeader
	for _, fh := range files {
		if fh.Size == 0 && strings.TrimSpace(fh.Filename) == "" {
			continue
		}
		out = append(out, fh)
	}
	return out
}

// rectifyItem records that an item was rectified, with a note and photos.
func (c *Console) rectifyItem(g *gin.Context) {
	ctx, actor := g.Request.Context(), actorOf(g)
	a, err := c.svc.GetAcceptance(ctx, actor, g.Param("acceptance_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	index, perr := strconv.Atoi(g.Param("index"))
	if perr != nil {
		c.notFound(g)
		return
	}
	in := service.RectifyInput{Note: g.PostForm("note")}
	note := strings.TrimSpace(in.Note)
	if mf, ferr := g.MultipartForm(); ferr == nil && mf != nil && note != "" && utf8.RuneCountInString(note) <= maxNoteRunes {
		in.Photos, err = c.saveUploads(g, a.EstateID, mf.File["photos"])
	}
	if err == nil {
		_, err = c.svc.RectifyAcceptanceItem(ctx, actor, a.ID, index, in)
	}
	if err != nil {
		status, message, fields := c.explain(g, err)
		if status == http.StatusForbidden || isCode(err, "acceptance_not_found") {
			c.failPage(g, err)
			return
		}
		g.Params = append(g.Params, gin.Param{Key: "estate_id", Value: a.EstateID})
		if index >= 0 && index < len(a.Items) {
			g.Set(rectifyItemKey, a.Items[index].ID)
			g.Set(rectifyNoteKey, in.Note)
		}
		if mf := g.Request.MultipartForm; mf != nil && len(chosenFiles(mf.File["photos"])) > 0 {
			message += "（照片需重新选择。）"
		}
		c.showAcceptances(g, status, nil, nil, message, fields)
		return
	}
	g.Redirect(http.StatusSeeOther, Prefix+"/estates/"+a.EstateID+"/acceptances?done=item_rectified")
}

func at(values []string, i int) string {
	if i < len(values) {
		return values[i]
	}
	return ""
}

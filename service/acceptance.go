package service

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"minyi/model"
	"minyi/store"
)

// Acceptance statuses: open while an item awaits rectification, closed after.
const (
	AcceptanceOpen   = "open"
	AcceptanceClosed = "closed"
)

// Acceptance item results.
const (
	ItemPass    = "pass"
	ItemRectify = "rectify"
)

// Upload owner kinds of acceptance photos.
const (
	uploadOwnerAcceptanceItem = "acceptance_item"
	uploadOwnerAcceptanceFix  = "acceptance_fix"
)

// Limits of an acceptance.
const (
	maxAcceptanceItems      = 100
	maxAcceptanceSignatures = 30
	maxAcceptancePhotos     = 9
	maxAcceptanceNameRunes  = 100
)

// SignatureRoles are the roles an acceptance is signed in, with their Chinese names.
var signatureRoleLabels = map[string]string{
	"owner_representative": "业主代表", "supervisor": "监督员", "builder": "施工单位",
	"designer": "设计单位", "street_office": "街道办事处",
}

// SignatureRoleLabel is the Chinese name of a signing role ("" for an unknown one).
func SignatureRoleLabel(role string) string { return signatureRoleLabels[role] }

// AcceptanceItemInput is one checked item.
type AcceptanceItemInput struct {
	Name   string
	Result string
	Note   string
	Photos []string
}

// SignatureInput is one signature.
type SignatureInput struct {
	Name string
	Role string
}

// AcceptanceInput is a joint acceptance to record.
type AcceptanceInput struct {
	Items      []AcceptanceItemInput
	Signatures []SignatureInput
}

// AcceptanceItemView is an item with its photos and rectification.
type AcceptanceItemView struct {
	model.AcceptanceItem
	Photos      []string
	FixPhotos   []string
	NeedsAction bool // a rectify item not yet rectified
}

// AcceptanceView is an acceptance with its items and signatures.
type AcceptanceView struct {
	model.Acceptance
	Items      []AcceptanceItemView
	Signatures []model.AcceptanceSignature
}

func (in *AcceptanceInput) validate() error {
	fields := map[string]string{}
	if len(in.Items) == 0 || len(in.Items) > maxAcceptanceItems {
		fields["items"] = "1 to 100 items"
	}
	for i := range in.Items {
		it := &in.Items[i]
		p := fmt.Sprintf("items[%d].", i)
		it.Name, it.Note = strings.TrimSpace(it.Name), strings.TrimSpace(it.Note)
		if n := utf8.RuneCountInString(it.Name); n == 0 || n > maxAcceptanceNameRunes {
			fields[p+"name"] = "1 to 100 characters"
		}
		if it.Result != ItemPass && it.Result != ItemRectify {
			fields[p+"result"] = "must be pass or rectify"
		}
		if it.Result == ItemRectify && it.Note == "" {
			fields[p+"note"] = "say what must be rectified"
		}
		if utf8.RuneCountInString(it.Note) > maxLifecycleNoteRunes {
			fields[p+"note"] = "at most 500 characters"
		}
		if len(it.Photos) > maxAcceptancePhotos {
			fields[p+"photo_upload_ids"] = "at most 9 photos"
		}
	}
	if len(in.Signatures) == 0 || len(in.Signatures) > maxAcceptanceSignatures {
		fields["signatures"] = "1 to 30 signatures"
	}
	for i := range in.Signatures {
		sg := &in.Signatures[i]
		p := fmt.Sprintf("signatures[%d].", i)
		sg.Name = strings.TrimSpace(sg.Name)
		if n := utf8.RuneCountInString(sg.Name); n == 0 || n > maxAcceptanceNameRunes {
			fields[p+"name"] = "1 to 100 characters"
		}
		if _, ok := signatureRoleLabels[sg.Role]; !ok {
			fields[p+"role"] = "must be owner_representative, supervisor, builder, designer or street_office"
		}
	}
	var all []string
	for _, it := range in.Items {
		all = append(all, it.Photos...)
	}
	if hasDuplicate(all) {
		fields["items"] = "a photo is listed twice"
	}
	if len(fields) > 0 {
		return Invalid("validation_failed", fields)
	}
	return nil
}

// checkPhotos refuses uploads that are not images (drawings are no photos).
func checkPhotos(tx *store.Tx, ids []string, field string) error {
	if len(ids) == 0 {
		return nil
	}
	rows, err := tx.PhotoContentTypes(ids)
	if err != nil {
		return err
	}
	for _, u := range rows {
		if !strings.HasPrefix(u.ContentType, "image/") {
			return InvalidField(field, "photos must be JPEG, PNG or WebP images: "+u.ID)
		}
	}
	return nil
}

// RecordAcceptance records a joint acceptance with its items, photos (the
// actor's own unattached images) and signatures. It is closed at once when
// every item passed. Errors: estate_not_found, validation_failed.
func (s *Service) RecordAcceptance(ctx context.Context, actor Actor, estateID string, in AcceptanceInput) (*AcceptanceView, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	var view *AcceptanceView
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		if err := s.authorize(tx, actor, estateID, ActRecordAcceptance); err != nil {
			return estateNotFound(err)
		}
		if err := s.mustFindEstate(tx, estateID); err != nil {
			return err
		}
		now := s.Now()
		a := model.Acceptance{ID: newID(), EstateID: estateID, Status: AcceptanceClosed, CreatedBy: actor.ID, CreatedAt: now, ClosedAt: &now}
		items := make([]model.AcceptanceItem, len(in.Items))
		rectify := 0
		for i, it := range in.Items {
			items[i] = model.AcceptanceItem{ID: newID(), AcceptanceID: a.ID, Position: i, Name: it.Name, Result: it.Result, Note: it.Note}
			if it.Result == ItemRectify {
				rectify++
			}
		}
		if rectify > 0 {
			a.Status, a.ClosedAt = AcceptanceOpen, nil
		}
		signatures := make([]model.AcceptanceSignature, len(in.Signatures))
		roles := make([]string, len(in.Signatures))
		for i, sg := range in.Signatures {
			signatures[i] = model.AcceptanceSignature{AcceptanceID: a.ID, Position: i, Name: sg.Name, Role: sg.Role}
			roles[i] = sg.Role
		}
		s.audit(tx, actor, estateID, "acceptance.record", "acceptance", a.ID, nil,
			map[string]any{"items": len(items), "rectify": rectify, "signing_roles": roles, "status": a.Status})
		if err := tx.Insert(&a); err != nil {
			return err
		}
		if err := tx.Insert(&items); err != nil {
			return err
		}
		if err := tx.Insert(&signatures); err != nil {
			return err
		}
		for i, it := range in.Items {
			field := fmt.Sprintf("items[%d].photo_upload_ids", i)
			if err := checkPhotos(tx, it.Photos, field); err != nil {
				return err
			}
			if err := s.attachUploads(tx, actor, estateID, uploadOwnerAcceptanceItem, items[i].ID, it.Photos, field); err != nil {
				return err
			}
		}
		var err error
		view, err = acceptanceView(tx, a)
		if err != nil {
			return err
		}
		return s.touchEstate(tx, estateID)
	})
	if err != nil {
		return nil, err
	}
	return view, nil
}

// RectifyInput records that an item was rectified.
type RectifyInput struct {
	Note   string
	Photos []string
}

// RectifyAcceptanceItem records the rectification of an item (by its index)
// with a note and photos; the acceptance closes with its last open item.
// Errors: acceptance_not_found, acceptance_item_not_found,
// item_not_rectifiable (409: the item passed), item_already_rectified (409),
// validation_failed.
func (s *Service) RectifyAcceptanceItem(ctx context.Context, actor Actor, acceptanceID string, index int, in RectifyInput) (*AcceptanceView, error) {
	in.Note = strings.TrimSpace(in.Note)
	fields := map[string]string{}
	if n := utf8.RuneCountInString(in.Note); n == 0 || n > maxLifecycleNoteRunes {
		fields["note"] = "1 to 500 characters"
	}
	if len(in.Photos) > maxAcceptancePhotos {
		fields["photo_upload_ids"] = "at most 9 photos"
	} else if hasDuplicate(in.Photos) {
		fields["photo_upload_ids"] = "a photo is listed twice"
	}
	if len(fields) > 0 {
		return nil, Invalid("validation_failed", fields)
	}
	var view *AcceptanceView
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		var a model.Acceptance
		if err := s.loadAcceptanceFor(tx, actor, acceptanceID, ActRecordAcceptance, &a); err != nil {
			return err
		}
		item, err := tx.AcceptanceItemAt(a.ID, index)
		if err != nil {
			return notFoundAs(err, "acceptance_item_not_found")
		}
		if item.Result != ItemRectify {
			return Conflict("item_not_rectifiable", "the item passed")
		}
		if item.RectifiedAt != nil {
			return Conflict("item_already_rectified", "the item was rectified already")
		}
		now := s.Now()
		rectified, err := tx.MarkAcceptanceItemRectified(item.ID, now, actor.ID, in.Note)
		if err != nil {
			return err
		}
		if !rectified {
			return Conflict("item_already_rectified", "the item was rectified already")
		}
		if err := checkPhotos(tx, in.Photos, "photo_upload_ids"); err != nil {
			return err
		}
		if err := s.attachUploads(tx, actor, a.EstateID, uploadOwnerAcceptanceFix, item.ID, in.Photos, "photo_upload_ids"); err != nil {
			return err
		}
		open, err := tx.CountUnrectifiedItems(a.ID, ItemRectify)
		if err != nil {
			return err
		}
		if open == 0 {
			if err := tx.CloseAcceptance(a.ID, AcceptanceClosed, now); err != nil {
				return err
			}
			a.Status, a.ClosedAt = AcceptanceClosed, &now
		}
		s.audit(tx, actor, a.EstateID, "acceptance.rectify", "acceptance", a.ID, map[string]any{"item": index},
			map[string]any{"item": index, "note": in.Note, "photos": len(in.Photos), "status": a.Status})
		if view, err = acceptanceView(tx, a); err != nil {
			return err
		}
		return s.touchEstate(tx, a.EstateID)
	})
	if err != nil {
		return nil, err
	}
	return view, nil
}

// loadAcceptanceFor reads an acceptance the actor may act on; an acceptance
// of an estate the actor cannot see is not found.
func (s *Service) loadAcceptanceFor(tx *store.Tx, actor Actor, acceptanceID string, action Action, a *model.Acceptance) error {
	if !RoleAllowed(action, actor.Role) && actor.Kind != ActorSystem {
		return Forbidden("forbidden")
	}
	found, err := store.ByID[model.Acceptance](tx, acceptanceID)
	if err != nil {
		return notFoundAs(err, "acceptance_not_found")
	}
	*a = found
	return hiddenAs(s.authorize(tx, actor, a.EstateID, action), "acceptance_not_found")
}

// GetAcceptance reads one acceptance. Errors: acceptance_not_found.
func (s *Service) GetAcceptance(ctx context.Context, actor Actor, acceptanceID string) (*AcceptanceView, error) {
	tx := s.read(ctx)
	var a model.Acceptance
	if err := s.loadAcceptanceFor(tx, actor, acceptanceID, ActReadAcceptance, &a); err != nil {
		return nil, AsError(err)
	}
	view, err := acceptanceView(tx, a)
	if err != nil {
		return nil, AsError(err)
	}
	return view, nil
}

// ListAcceptances lists the estate's acceptances, oldest first. Errors: estate_not_found.
func (s *Service) ListAcceptances(ctx context.Context, actor Actor, estateID string, page Page) ([]AcceptanceView, string, error) {
	tx := s.read(ctx)
	if err := s.authorizeEstate(tx, actor, estateID, ActReadAcceptance); err != nil {
		return nil, "", err
	}
	rows, next, err := listPage(page, func(a model.Acceptance) string { return a.ID },
		func(p store.Page) ([]model.Acceptance, error) { return tx.ListAcceptances(estateID, p) })
	if err != nil {
		return nil, "", err
	}
	views := make([]AcceptanceView, 0, len(rows))
	for _, a := range rows {
		v, err := acceptanceView(tx, a)
		if err != nil {
			return nil, "", AsError(err)
		}
		views = append(views, *v)
	}
	return views, next, nil
}

// acceptanceView reads an acceptance's items, photos and signatures.
func acceptanceView(tx *store.Tx, a model.Acceptance) (*AcceptanceView, error) {
	items, err := tx.AcceptanceItems(a.ID)
	if err != nil {
		return nil, err
	}
	signatures, err := tx.AcceptanceSignatures(a.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	photos, err := attachmentsOf(tx, uploadOwnerAcceptanceItem, ids)
	if err != nil {
		return nil, err
	}
	fixes, err := attachmentsOf(tx, uploadOwnerAcceptanceFix, ids)
	if err != nil {
		return nil, err
	}
	view := &AcceptanceView{Acceptance: a, Signatures: signatures, Items: make([]AcceptanceItemView, len(items))}
	for i, it := range items {
		view.Items[i] = AcceptanceItemView{AcceptanceItem: it, Photos: orEmpty(photos[it.ID]), FixPhotos: orEmpty(fixes[it.ID]),
			NeedsAction: it.Result == ItemRectify && it.RectifiedAt == nil}
	}
	return view, nil
}

func orEmpty(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

package service

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/model"
	"minyi/store"
)

// uploadOwnerPrecondition marks uploads attached as a precondition's evidence.
const uploadOwnerPrecondition = "precondition"

// maxPreconditionEvidence is how many evidence files one update may attach.
const maxPreconditionEvidence = 20

// PreconditionKeys are the six preconditions of construction, in order.
var PreconditionKeys = []string{"party_organisation", "multi_party_consultation", "residents_pact",
	"illegal_structures_removed", "resident_contribution", "property_fee_commitment"}

var preconditionLabels = map[string]string{
	"party_organisation": "党组织", "multi_party_consultation": "多方协商", "residents_pact": "居民公约",
	"illegal_structures_removed": "违建拆除", "resident_contribution": "居民出资", "property_fee_commitment": "物业费承诺",
}

// PreconditionLabel is the Chinese name of a precondition ("" for an unknown key).
func PreconditionLabel(key string) string { return preconditionLabels[key] }

// PreconditionView is one precondition of an estate with its evidence uploads.
type PreconditionView struct {
	Key       string
	Label     string
	Met       bool
	Note      string
	Evidence  []string
	UpdatedBy string
	UpdatedAt *time.Time
}

// PreconditionInput records a precondition.
type PreconditionInput struct {
	Met      bool
	Note     *string
	Evidence []string // upload ids to attach (added to earlier evidence)
}

// ListPreconditions gives the estate's six preconditions in order. Errors: estate_not_found.
func (s *Service) ListPreconditions(ctx context.Context, actor Actor, estateID string) ([]PreconditionView, error) {
	tx := s.read(ctx)
	if err := s.authorizeEstate(tx, actor, estateID, ActReadLifecycle); err != nil {
		return nil, err
	}
	views, err := preconditionsOf(tx, estateID)
	if err != nil {
		return nil, AsError(err)
	}
	return views, nil
}

func preconditionsOf(tx *store.Tx, estateID string) ([]PreconditionView, error) {
	rows, err := tx.EstatePreconditions(estateID)
	if err != nil {
		return nil, err
	}
	byKey := make(map[string]model.EstatePrecondition, len(rows))
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		byKey[r.Key] = r
		ids = append(ids, r.ID)
	}
	evidence, err := attachmentsOf(tx, uploadOwnerPrecondition, ids)
	if err != nil {
		return nil, err
	}
	views := make([]PreconditionView, len(PreconditionKeys))
	for i, key := range PreconditionKeys {
		v := PreconditionView{Key: key, Label: preconditionLabels[key], Evidence: []string{}}
		if r, ok := byKey[key]; ok {
			at := r.UpdatedAt
			v.Met, v.Note, v.UpdatedBy, v.UpdatedAt = r.Met, r.Note, r.UpdatedBy, &at
			if e := evidence[r.ID]; e != nil {
				v.Evidence = e
			}
		}
		views[i] = v
	}
	return views, nil
}

// unmetPreconditions lists the keys of the preconditions not met and tells
// whether a final plan round passed: what starting construction needs.
func unmetPreconditions(tx *store.Tx, estateID string) ([]string, bool, error) {
	met, err := tx.MetPreconditionKeys(estateID)
	if err != nil {
		return nil, false, err
	}
	isMet := map[string]bool{}
	for _, k := range met {
		isMet[k] = true
	}
	missing := []string{}
	for _, k := range PreconditionKeys {
		if !isMet[k] {
			missing = append(missing, k)
		}
	}
	passed, err := finalPlanRoundPassed(tx, estateID)
	return missing, passed, err
}

// RecordPrecondition records whether one precondition of the estate is met,
// with a note and evidence uploads (the actor's own unattached uploads).
// Errors: estate_not_found, precondition_not_found, validation_failed.
func (s *Service) RecordPrecondition(ctx context.Context, actor Actor, estateID, key string, in PreconditionInput) (*PreconditionView, error) {
	fields := map[string]string{}
	if in.Note != nil {
		*in.Note = strings.TrimSpace(*in.Note)
		if utf8.RuneCountInString(*in.Note) > maxLifecycleNoteRunes {
			fields["note"] = "at most 500 characters"
		}
	}
	if len(in.Evidence) > maxPreconditionEvidence {
		fields["evidence_upload_ids"] = "at most 20 files"
	} else if hasDuplicate(in.Evidence) {
		fields["evidence_upload_ids"] = "a file is listed twice"
	}
	if len(fields) > 0 {
		return nil, Invalid("validation_failed", fields)
	}
	var view PreconditionView
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		if err := s.authorize(tx, actor, estateID, ActRecordPreconditions); err != nil {
			return estateNotFound(err)
		}
		if err := s.mustFindEstate(tx, estateID); err != nil {
			return err
		}
		if _, ok := preconditionLabels[key]; !ok {
			return NotFound("precondition_not_found")
		}
		now := s.Now()
		row, err := tx.PreconditionOf(estateID, key)
		exists := err == nil
		if err != nil && !errors.Is(err, model.ErrNotFound) {
			return err
		}
		if !exists {
			row = model.EstatePrecondition{ID: newID(), EstateID: estateID, Key: key}
		}
		before := map[string]any{"met": row.Met, "note": row.Note}
		if !exists {
			before = nil
		}
		row.Met = in.Met
		if in.Note != nil {
			row.Note = *in.Note
		}
		row.UpdatedBy, row.UpdatedAt = actor.ID, now
		s.audit(tx, actor, estateID, "precondition.record", "precondition", row.ID, before,
			map[string]any{"key": key, "met": row.Met, "note": row.Note, "evidence": in.Evidence})
		if exists {
			err = tx.UpdatePrecondition(row)
		} else {
			err = tx.Insert(&row)
		}
		if err != nil {
			if errors.Is(err, model.ErrConflict) {
				return errRetry
			}
			return err
		}
		earlier, err := tx.CountPreconditionEvidence(uploadOwnerPrecondition, row.ID)
		if err != nil {
			return err
		}
		if err := s.attachUploads(tx, actor, estateID, uploadOwnerPrecondition, row.ID, in.Evidence, "evidence_upload_ids"); err != nil {
			return err
		}
		if earlier > 0 && len(in.Evidence) > 0 {
			// Later evidence follows the earlier: attachUploads numbers each call from 0.
			if err := tx.ShiftPreconditionEvidence(uploadOwnerPrecondition, row.ID, in.Evidence, earlier); err != nil {
				return err
			}
		}
		views, err := preconditionsOf(tx, estateID)
		if err != nil {
			return err
		}
		for _, v := range views {
			if v.Key == key {
				view = v
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &view, nil
}

package service

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/model"
	"minyi/store"
)

// Stage statuses: pending → in_progress → done.
const (
	StagePending    = "pending"
	StageInProgress = "in_progress"
	StageDone       = "done"
)

// StageConstruction is the stage that needs the six preconditions and a passed final plan round.
const StageConstruction = "construction"

// Stages is the fixed list of an estate's renovation stages, in order.
var Stages = []string{"survey", "needs", "design", "round1", "revision", "round2", "notice",
	StageConstruction, "acceptance", "evaluation", "maintenance"}

// stageLabels are the stages' Chinese names for people.
var stageLabels = map[string]string{
	"survey": "摸底调查", "needs": "问需", "design": "方案设计", "round1": "第一轮征询",
	"revision": "方案修改", "round2": "第二轮征询", "notice": "公示", "construction": "施工",
	"acceptance": "联合验收", "evaluation": "问效评价", "maintenance": "长效管理",
}

// StageLabel is the Chinese name of a stage ("" for an unknown one).
func StageLabel(stage string) string { return stageLabels[stage] }

const maxLifecycleNoteRunes = 500

// StageView is one stage of an estate.
type StageView struct {
	Stage      string
	Label      string
	Status     string
	StartedAt  *time.Time
	FinishedAt *time.Time
	Note       string
	Forced     bool
}

// StageInput changes a stage: its status, note and (to record history) its dates.
type StageInput struct {
	Status     *string
	Note       *string
	StartedAt  *time.Time
	FinishedAt *time.Time
	// Force starts construction although its preconditions are unmet (admin, with a note).
	Force bool
}

// ListStages gives the estate's stages in their fixed order. Errors: estate_not_found.
func (s *Service) ListStages(ctx context.Context, actor Actor, estateID string) ([]StageView, error) {
	tx := s.read(ctx)
	if err := s.authorizeEstate(tx, actor, estateID, ActReadLifecycle); err != nil {
		return nil, err
	}
	views, err := stagesOf(tx, estateID)
	if err != nil {
		return nil, AsError(err)
	}
	return views, nil
}

// stagesOf reads the estate's stages, filling in the pending ones.
func stagesOf(tx *store.Tx, estateID string) ([]StageView, error) {
	rows, err := tx.EstateStages(estateID)
	if err != nil {
		return nil, err
	}
	byStage := make(map[string]model.EstateStage, len(rows))
	for _, r := range rows {
		byStage[r.Stage] = r
	}
	views := make([]StageView, len(Stages))
	for i, st := range Stages {
		v := StageView{Stage: st, Label: stageLabels[st], Status: StagePending}
		if r, ok := byStage[st]; ok {
			v.Status, v.StartedAt, v.FinishedAt, v.Note, v.Forced = r.Status, r.StartedAt, r.FinishedAt, r.Note, r.Forced
		}
		views[i] = v
	}
	return views, nil
}

func (in *StageInput) validate(now time.Time) error {
	fields := map[string]string{}
	if in.Status != nil && *in.Status != StagePending && *in.Status != StageInProgress && *in.Status != StageDone {
		fields["status"] = "must be pending, in_progress or done"
	}
	if in.Note != nil {
		*in.Note = strings.TrimSpace(*in.Note)
		if utf8.RuneCountInString(*in.Note) > maxLifecycleNoteRunes {
			fields["note"] = "at most 500 characters"
		}
	}
	if in.StartedAt != nil && in.StartedAt.After(now) {
		fields["started_at"] = "must not be in the future"
	}
	if in.FinishedAt != nil && in.FinishedAt.After(now) {
		fields["finished_at"] = "must not be in the future"
	}
	if in.Force && (in.Note == nil || *in.Note == "") {
		fields["note"] = "give the reason for forcing the start"
	}
	if len(fields) > 0 {
		return Invalid("validation_failed", fields)
	}
	return nil
}

// UpdateStage changes one stage of an estate. The status moves forward only
// (pending → in_progress → done; pending → done records a stage that was
// skipped or done before the service was used); construction starts only
// when the six preconditions are met and a final plan round passed, unless
// an admin forces it with a note (audited as stage.force).
// Errors: estate_not_found, stage_not_found, validation_failed,
// stage_transition_invalid (409), preconditions_unmet (409, details: missing
// preconditions and final_plan_round_passed).
func (s *Service) UpdateStage(ctx context.Context, actor Actor, estateID, stage string, in StageInput) (*StageView, error) {
	now := s.Now()
	if err := in.validate(now); err != nil {
		return nil, err
	}
	var view StageView
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		if err := s.authorize(tx, actor, estateID, ActManageStages); err != nil {
			return estateNotFound(err)
		}
		if err := s.mustFindEstate(tx, estateID); err != nil {
			return err
		}
		if _, ok := stageLabels[stage]; !ok {
			return NotFound("stage_not_found")
		}
		row, err := tx.EstateStageOf(estateID, stage)
		exists := err == nil
		if err != nil && !errors.Is(err, model.ErrNotFound) {
			return err
		}
		if !exists {
			row = model.EstateStage{EstateID: estateID, Stage: stage, Status: StagePending}
		}
		before := map[string]any{"status": row.Status, "note": row.Note}
		forcedNow := false
		if in.Status != nil && *in.Status != row.Status {
			if !stageMoveAllowed(row.Status, *in.Status) {
				return Conflict("stage_transition_invalid", row.Status+" → "+*in.Status)
			}
			if stage == StageConstruction && *in.Status != StagePending && row.StartedAt == nil {
				missing, planPassed, err := unmetPreconditions(tx, estateID)
				if err != nil {
					return err
				}
				if len(missing) > 0 || !planPassed {
					if !in.Force {
						e := Conflict("preconditions_unmet", "construction needs the six preconditions and a passed final plan round")
						e.Extra = map[string]any{"missing": missing, "final_plan_round_passed": planPassed}
						return e
					}
					forcedNow = true
					s.audit(tx, actor, estateID, "stage.force", "stage", estateID+":"+stage, nil,
						map[string]any{"stage": stage, "missing": missing, "final_plan_round_passed": planPassed, "note": *in.Note})
				}
			}
			row.Status = *in.Status
			if row.StartedAt == nil {
				row.StartedAt = &now
			}
			if row.Status == StageDone && row.FinishedAt == nil {
				row.FinishedAt = &now
			}
		}
		if in.Note != nil {
			row.Note = *in.Note
		}
		if in.StartedAt != nil {
			row.StartedAt = in.StartedAt
		}
		if in.FinishedAt != nil {
			row.FinishedAt = in.FinishedAt
		}
		if row.Status == StagePending && (in.StartedAt != nil || in.FinishedAt != nil) {
			return InvalidField("started_at", "a pending stage has no dates")
		}
		if row.Status != StageDone && in.FinishedAt != nil {
			return InvalidField("finished_at", "only a done stage has a finishing date")
		}
		if row.StartedAt != nil && row.FinishedAt != nil && row.FinishedAt.Before(*row.StartedAt) {
			return InvalidField("finished_at", "must not be before started_at")
		}
		row.Forced = row.Forced || forcedNow
		row.UpdatedBy, row.UpdatedAt = actor.ID, now
		s.audit(tx, actor, estateID, "stage.update", "stage", estateID+":"+stage, before,
			map[string]any{"status": row.Status, "note": row.Note, "forced": row.Forced})
		var err2 error
		if exists {
			err2 = tx.SaveEstateStage(&row)
		} else {
			err2 = tx.Insert(&row)
		}
		if err2 != nil {
			if errors.Is(err2, model.ErrConflict) {
				return errRetry
			}
			return err2
		}
		view = StageView{Stage: stage, Label: stageLabels[stage], Status: row.Status, StartedAt: row.StartedAt,
			FinishedAt: row.FinishedAt, Note: row.Note, Forced: row.Forced}
		return s.touchEstate(tx, estateID)
	})
	if err != nil {
		return nil, err
	}
	return &view, nil
}

// stageMoveAllowed tells whether a stage may go from one status to another: forward only.
func stageMoveAllowed(from, to string) bool {
	order := map[string]int{StagePending: 0, StageInProgress: 1, StageDone: 2}
	return order[to] > order[from]
}

// finalPlanRoundPassed tells whether a plan round of the estate became final with a passing result.
func finalPlanRoundPassed(tx *store.Tx, estateID string) (bool, error) {
	results, err := tx.RoundResultsInStatus(estateID, KindPlan, RoundFinal)
	if err != nil {
		return false, err
	}
	for _, raw := range results {
		var r struct {
			Passed bool `json:"passed"`
		}
		if json.Unmarshal([]byte(raw), &r) == nil && r.Passed {
			return true, nil
		}
	}
	return false, nil
}

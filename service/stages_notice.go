package service

import (
	"errors"

	"minyi/model"
	"minyi/store"
)

// NoticeLifecycle is what the public notice board shows of an estate's
// renovation beyond the rounds: the stage timeline and the site
// information of the 明白墙 / 公示牌 (organisations, schedule, budget and the
// site office's phone: no personal data).
type NoticeLifecycle struct {
	// Stages are the eleven stages in order; all pending before any is moved.
	Stages []StageView
	// Site is nil until an admin sets the site information.
	Site *NoticeSite
	// Acceptances are the latest joint acceptances, newest first (acceptance_notice.go).
	Acceptances []NoticeAcceptance
	// Reports counts the problem reports (随手拍) by status; never their texts or photos.
	Reports map[string]int64
}

// NoticeSite is the public site information.
type NoticeSite struct {
	Builder, SupervisingUnit, DesignerUnit string
	StartsOn, EndsOn                       string // YYYY-MM-DD or ""
	BudgetFen                              int64
	ContactPhone                           string
}

// noticeLifecycle reads the estate's stages and site information for the board.
func noticeLifecycle(tx *store.Tx, estateID string) (NoticeLifecycle, error) {
	stages, err := stagesOf(tx, estateID)
	if err != nil {
		return NoticeLifecycle{}, err
	}
	out := NoticeLifecycle{Stages: stages}
	if out.Acceptances, err = noticeAcceptances(tx, estateID); err != nil {
		return NoticeLifecycle{}, err
	}
	if out.Reports, err = reportCounts(tx, estateID); err != nil {
		return NoticeLifecycle{}, err
	}
	s, err := tx.SiteOfEstate(estateID)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return NoticeLifecycle{}, err
	}
	if err == nil {
		out.Site = &NoticeSite{Builder: s.Builder, SupervisingUnit: s.SupervisingUnit, DesignerUnit: s.DesignerUnit,
			StartsOn: s.StartsOn, EndsOn: s.EndsOn, BudgetFen: s.BudgetFen, ContactPhone: s.ContactPhone}
	}
	return out, nil
}

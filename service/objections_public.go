package service

import (
	"context"
	"time"
)

// PublicAnswer is an answered objection as the public notice board shows it:
// the topic, the answerer's public summary and the answer; never the
// objector, the household, the resident's own text or photos.
type PublicAnswer struct {
	Category        string // category code; CategoryLabel gives its Chinese label
	PlanItem        string
	PublicSummary   string // the answerer's summary of the objection
	Outcome         string // adopted, partially_adopted or not_adopted
	Explanation     string
	RevisionVersion *int // the revision that adopted it, when linked
	AnsweredAt      time.Time
}

// PublicRevision is a published plan revision as the notice board shows it.
type PublicRevision struct {
	Version        int
	Title          string
	Summary        string
	Changes        string
	PublishedAt    time.Time
	AddressedCount int      // objections the revision addresses
	AttachmentIDs  []string // uploads attached to the revision; public with it
}

// PublicAnswers lists the answered and closed objections of an estate whose
// text is published (not held by moderation), oldest answer first. It carries
// no personal data by construction.
func (s *Service) PublicAnswers(ctx context.Context, estateID string) ([]PublicAnswer, error) {
	rows, err := s.read(ctx).PublicObjectionAnswers(estateID, []string{ObjectionAnswered, ObjectionClosed}, ModerationPublished)
	if err != nil {
		return nil, AsError(err)
	}
	answers := make([]PublicAnswer, 0, len(rows))
	for _, r := range rows {
		a := PublicAnswer{Category: r.Category, PlanItem: r.PlanItem, PublicSummary: r.PublicSummary,
			Outcome: r.Outcome, Explanation: r.Explanation, RevisionVersion: r.RevisionVersion}
		if r.AnsweredAt != nil {
			a.AnsweredAt = r.AnsweredAt.UTC()
		}
		answers = append(answers, a)
	}
	return answers, nil
}

// PublicRevisions lists an estate's plan revisions, oldest first, with the
// number of objections each addresses and its attachments.
func (s *Service) PublicRevisions(ctx context.Context, estateID string) ([]PublicRevision, error) {
	tx := s.read(ctx)
	revisions, err := tx.RevisionsOfEstate(estateID)
	if err != nil {
		return nil, AsError(err)
	}
	if len(revisions) == 0 {
		return []PublicRevision{}, nil
	}
	ids := make([]string, len(revisions))
	for i, r := range revisions {
		ids[i] = r.ID
	}
	addressed, err := tx.CountAddressedObjections(ids)
	if err != nil {
		return nil, AsError(err)
	}
	attachments, err := attachmentsOf(tx, uploadOwnerRevision, ids)
	if err != nil {
		return nil, AsError(err)
	}
	out := make([]PublicRevision, len(revisions))
	for i, r := range revisions {
		out[i] = PublicRevision{Version: r.Version, Title: r.Title, Summary: r.Summary, Changes: r.Changes,
			PublishedAt: r.PublishedAt.UTC(), AddressedCount: addressed[r.ID], AttachmentIDs: attachments[r.ID]}
		if out[i].AttachmentIDs == nil {
			out[i].AttachmentIDs = []string{}
		}
	}
	return out, nil
}

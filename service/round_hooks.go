package service

import (
	"gorm.io/gorm"

	"minyi/model"
)

// checkRoundRevision verifies that the revision a round names belongs to its
// estate. Revisions arrive with the objections-and-revisions work; until then
// a round may not name one. Errors: revision_not_found.
func (s *Service) checkRoundRevision(tx *gorm.DB, round *model.Round) error {
	if round.RevisionID != nil {
		return InvalidField("revision_id", "no such revision in this estate")
	}
	return nil
}

// beforeOpenRound runs the checks a round must pass before it opens (for a
// plan round: every objection of the earlier round answered, unless forced).
func (s *Service) beforeOpenRound(tx *gorm.DB, actor Actor, round *model.Round, force bool) error {
	return nil
}

package store

import (
	"time"

	"gorm.io/gorm/clause"

	"minyi/model"
)

// Plan revisions and the objections each addresses.

// LatestRevisionVersion is the highest version of the estate's revisions (0 when none).
func (t *Tx) LatestRevisionVersion(estateID string) (int, error) {
	var latest int
	err := result(t.g.Model(&model.Revision{}).Where("estate_id = ?", estateID).
		Select("COALESCE(MAX(version), 0)").Scan(&latest))
	return latest, err
}

// RevisionInEstate tells whether the revision exists and belongs to the estate.
func (t *Tx) RevisionInEstate(revisionID, estateID string) (bool, error) {
	var n int64
	err := result(t.g.Model(&model.Revision{}).Where("id = ? AND estate_id = ?", revisionID, estateID).Count(&n))
	return n > 0, err
}

// ObjectionIDsOfEstate reads which of the ids are objections of the estate.
func (t *Tx) ObjectionIDsOfEstate(estateID string, ids []string) ([]string, error) {
	var found []string
	err := result(t.g.Model(&model.Objection{}).Where("estate_id = ? AND id IN ?", estateID, ids).Pluck("id", &found))
	return found, err
}

// AddRevisionObjection links an objection to the revision that addresses
// it; a link already there stays as it is.
func (t *Tx) AddRevisionObjection(link model.RevisionObjection) error {
	return result(t.g.Clauses(clause.OnConflict{DoNothing: true}).Create(&link))
}

// ListRevisions reads one page of an estate's revisions in id (and so publication) order.
func (t *Tx) ListRevisions(estateID string, page Page) ([]model.Revision, error) {
	return findPage[model.Revision](t.g.Model(&model.Revision{}).Where("estate_id = ?", estateID), page, "id")
}

// RevisionsOfEstate reads all of an estate's revisions, by version.
func (t *Tx) RevisionsOfEstate(estateID string) ([]model.Revision, error) {
	var revisions []model.Revision
	err := result(t.g.Where("estate_id = ?", estateID).Order("version").Find(&revisions))
	return revisions, err
}

// RevisionObjectionLinks reads the objections the revisions address, by
// revision and objection id.
func (t *Tx) RevisionObjectionLinks(revisionIDs []string) ([]model.RevisionObjection, error) {
	var links []model.RevisionObjection
	err := result(t.g.Where("revision_id IN ?", revisionIDs).Order("revision_id, objection_id").Find(&links))
	return links, err
}

// CountAddressedObjections counts the objections each revision addresses;
// a revision that addresses none is absent.
func (t *Tx) CountAddressedObjections(revisionIDs []string) (map[string]int, error) {
	var counts []struct {
		RevisionID string
		N          int
	}
	if err := result(t.g.Model(&model.RevisionObjection{}).Select("revision_id, COUNT(*) AS n").
		Where("revision_id IN ?", revisionIDs).Group("revision_id").Scan(&counts)); err != nil {
		return nil, err
	}
	addressed := make(map[string]int, len(counts))
	for _, c := range counts {
		addressed[c.RevisionID] = c.N
	}
	return addressed, nil
}

// PublicAnswerRow is an answered objection as the notice board reads it:
// no objector, household, resident's text or photos.
type PublicAnswerRow struct {
	Category        string
	PlanItem        string
	PublicSummary   string
	Outcome         string
	Explanation     string
	RevisionVersion *int
	AnsweredAt      *time.Time
}

// PublicObjectionAnswers reads the estate's objections in one of the
// statuses whose text is in the given moderation state, with the version of
// the revision each is linked to, oldest answer first.
func (t *Tx) PublicObjectionAnswers(estateID string, statuses []string, moderation string) ([]PublicAnswerRow, error) {
	var rows []PublicAnswerRow
	err := result(t.g.Table("objections o").
		Select("o.category, o.plan_item, o.public_summary, o.outcome, o.explanation, r.version AS revision_version, o.answered_at").
		Joins("LEFT JOIN revisions r ON r.id = o.revision_id").
		Where("o.estate_id = ? AND o.status IN ? AND o.moderation = ?", estateID, statuses, moderation).
		Order("o.answered_at, o.id").Scan(&rows))
	return rows, err
}

package store

import (
	"time"

	"minyi/model"
)

// SignOffTarget is what a sign-off learns about its round and household in
// one statement: the round, the household's electorate entry (nil fields
// when it is not in the electorate) and whether the caller is assigned to
// the round's estate in its role.
type SignOffTarget struct {
	RoundID        string
	EstateID       string
	Status         string
	ClosesAt       *time.Time
	LateSyncHours  int
	Building       *string
	AreaHundredths *int64
	InElectorate   bool
	Assigned       bool
}

// SignOffTarget reads the round, the household's electorate entry and the
// staff assignment (userID in role) in one statement, taking the round in
// share mode on MySQL so that closing it waits for the sign-off; model.ErrNotFound
// when there is no such round.
func (t *Tx) SignOffTarget(roundID, householdID, userID, role string) (SignOffTarget, error) {
	query := `SELECT r.id AS round_id, r.estate_id, r.status, r.closes_at, r.late_sync_hours, m.building, m.area_hundredths,
		m.household_id IS NOT NULL AS in_electorate, es.user_id IS NOT NULL AS assigned
		FROM rounds r
		LEFT JOIN round_members m ON m.round_id = r.id AND m.household_id = ?
		LEFT JOIN estate_staff es ON es.estate_id = r.estate_id AND es.user_id = ? AND es.role = ?
		WHERE r.id = ?`
	if t.MySQL() {
		query += " LOCK IN SHARE MODE"
	}
	var rows []SignOffTarget
	if err := result(t.g.Raw(query, householdID, userID, role, roundID).Scan(&rows)); err != nil {
		return SignOffTarget{}, err
	}
	if len(rows) == 0 {
		return SignOffTarget{}, model.ErrNotFound
	}
	return rows[0], nil
}

// LockSignOff reads a household's sign-off in a round (nil when it has none),
// locking the row on MySQL so that changes of one household serialise.
func (t *Tx) LockSignOff(roundID, householdID string) (*model.SignOff, error) {
	q := t.g
	if t.MySQL() {
		q = t.locking()
	}
	var existing []model.SignOff
	if err := result(q.Where("round_id = ? AND household_id = ?", roundID, householdID).Limit(1).Find(&existing)); err != nil {
		return nil, err
	}
	if len(existing) == 0 {
		return nil, nil
	}
	return &existing[0], nil
}

// SignOffChange is one change of a household's decision: the sign-off as it
// now is (Version 1 is inserted, a later version updates the row), its
// history entry, and the tally counters to move.
type SignOffChange struct {
	SignOff *model.SignOff
	Event   model.SignOffEvent
	// The counter move: CountersTouched are the decisions whose counters of
	// the household's building change (none: no move), CountersTo the one
	// that gains the household and its area.
	CountersTouched []string
	CountersTo      string
	Building        string
	AreaHundredths  int64
}

// ApplySignOffChange writes the sign-off, its history entry, its audit
// event (appended to its chain) and the counter move, in that order, in one
// round trip on MySQL; it returns the number of counter rows moved (0
// without a move).
func (t *Tx) ApplySignOffChange(c SignOffChange, audit *model.AuditEvent) (int64, error) {
	e := c.Event
	statements := []model.Statement{signOffWrite(c.SignOff), {
		SQL: `INSERT INTO sign_off_events (id, round_id, household_id, version, old_decision, new_decision, channel,
			signer_name, comment, actor_kind, actor_id, actor_role, request_id, recorded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		Args: []any{e.ID, e.RoundID, e.HouseholdID, e.Version, e.OldDecision, e.NewDecision, e.Channel,
			e.SignerName, e.Comment, e.ActorKind, e.ActorID, e.ActorRole, e.RequestID, e.RecordedAt},
	}}
	if audit != nil {
		auditStatements, err := t.AuditEventStatements(audit)
		if err != nil {
			return 0, err
		}
		statements = append(statements, auditStatements...)
		t.MarkAudited()
	}
	if len(c.CountersTouched) > 0 {
		statements = append(statements, model.Statement{
			SQL: `UPDATE tally_counters
			SET households = households + CASE WHEN decision = ? THEN 1 ELSE -1 END,
			    area_hundredths = area_hundredths + CASE WHEN decision = ? THEN ? ELSE ? END
			WHERE round_id = ? AND building = ? AND decision IN ?`,
			Args: []any{c.CountersTo, c.CountersTo, c.AreaHundredths, -c.AreaHundredths, c.SignOff.RoundID, c.Building, c.CountersTouched},
		})
	}
	affected, err := t.ExecBatch(statements)
	if err != nil {
		return 0, model.Translate(err)
	}
	if len(c.CountersTouched) == 0 {
		return 0, nil
	}
	return affected, nil
}

// signOffWrite is the insert of a first decision or the update of a later one.
func signOffWrite(so *model.SignOff) model.Statement {
	if so.Version == 1 {
		return model.Statement{
			SQL: `INSERT INTO sign_offs (id, round_id, household_id, building, decision, channel, signer_name,
				evidence_url, comment, version, actor_kind, actor_id, recorded_at, principal_name, evidence_upload_id)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			Args: []any{so.ID, so.RoundID, so.HouseholdID, so.Building, so.Decision, so.Channel, so.SignerName,
				so.EvidenceURL, so.Comment, so.Version, so.ActorKind, so.ActorID, so.RecordedAt, so.PrincipalName, so.EvidenceUploadID},
		}
	}
	return model.Statement{
		SQL: `UPDATE sign_offs SET decision = ?, channel = ?, signer_name = ?, evidence_url = ?, comment = ?,
			version = ?, actor_kind = ?, actor_id = ?, recorded_at = ?, principal_name = ?, evidence_upload_id = ? WHERE id = ?`,
		Args: []any{so.Decision, so.Channel, so.SignerName, so.EvidenceURL, so.Comment,
			so.Version, so.ActorKind, so.ActorID, so.RecordedAt, so.PrincipalName, so.EvidenceUploadID, so.ID},
	}
}

// SignOffListFilter narrows ListSignOffs: one decision when Decision is set,
// otherwise any of Decisions; one building when Building is set.
type SignOffListFilter struct {
	Decision  *string
	Decisions []string
	Building  *string
}

// ListSignOffs reads one page of a round's sign-offs, in id order.
func (t *Tx) ListSignOffs(roundID string, filter SignOffListFilter, page Page) ([]model.SignOff, error) {
	q := t.g.Model(&model.SignOff{}).Where("round_id = ?", roundID)
	if filter.Decision != nil {
		q = q.Where("decision = ?", *filter.Decision)
	} else {
		q = q.Where("decision IN ?", filter.Decisions)
	}
	if filter.Building != nil {
		q = q.Where("building = ?", *filter.Building)
	}
	return findPage[model.SignOff](q, page, "id")
}

// SignOffHistory reads every change of a household's decision in a round, oldest first.
func (t *Tx) SignOffHistory(roundID, householdID string) ([]model.SignOffEvent, error) {
	var events []model.SignOffEvent
	err := result(t.g.Where("round_id = ? AND household_id = ?", roundID, householdID).Order("version, id").Find(&events))
	return events, err
}

// ResidentRoundBinding is a round's status with one of the households a
// resident is bound to in its estate (nil when none).
type ResidentRoundBinding struct {
	Status      string
	HouseholdID *string
}

// ResidentRoundBindings reads a round's status with each household the
// resident is bound to in the round's estate, in household order; no rows
// when there is no such round.
func (t *Tx) ResidentRoundBindings(residentID, roundID string) ([]ResidentRoundBinding, error) {
	var rows []ResidentRoundBinding
	err := result(t.g.Raw(`SELECT r.status, b.household_id FROM rounds r
		LEFT JOIN resident_bindings b ON b.estate_id = r.estate_id AND b.resident_id = ?
		WHERE r.id = ? ORDER BY b.household_id`, residentID, roundID).Scan(&rows))
	return rows, err
}

// RoundMembershipsOfHouseholds reads the electorate entries (round and
// household ids only) of the households.
func (t *Tx) RoundMembershipsOfHouseholds(householdIDs []string) ([]model.RoundMember, error) {
	var members []model.RoundMember
	err := result(t.g.Select("round_id", "household_id").Where("household_id IN ?", householdIDs).Find(&members))
	return members, err
}

// OpenOrRecentRounds reads those of the rounds that have the open status or
// one of the ended statuses with a closing at or after closedSince.
func (t *Tx) OpenOrRecentRounds(roundIDs []string, open string, ended []string, closedSince time.Time) ([]model.Round, error) {
	var rounds []model.Round
	err := result(t.g.Where("id IN ? AND (status = ? OR (status IN ? AND closed_at >= ?))", roundIDs, open, ended, closedSince).Find(&rounds))
	return rounds, err
}

// RevisionHeadings reads the revisions with these ids, without their plans:
// id, estate, version, title, summary and publication time.
func (t *Tx) RevisionHeadings(ids []string) ([]model.Revision, error) {
	var revisions []model.Revision
	err := result(t.g.Select("id", "estate_id", "version", "title", "summary", "published_at").Where("id IN ?", ids).Find(&revisions))
	return revisions, err
}

// SignOffsOfHouseholds reads the sign-offs of the households in the rounds.
func (t *Tx) SignOffsOfHouseholds(roundIDs, householdIDs []string) ([]model.SignOff, error) {
	var rows []model.SignOff
	err := result(t.g.Where("round_id IN ? AND household_id IN ?", roundIDs, householdIDs).Find(&rows))
	return rows, err
}

// SignOffHistoryOfHouseholds reads the decision histories of the households
// in the rounds, in version order.
func (t *Tx) SignOffHistoryOfHouseholds(roundIDs, householdIDs []string) ([]model.SignOffEvent, error) {
	var events []model.SignOffEvent
	err := result(t.g.Where("round_id IN ? AND household_id IN ?", roundIDs, householdIDs).Order("version, id").Find(&events))
	return events, err
}

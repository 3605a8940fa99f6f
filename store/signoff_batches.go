package store

import (
	"fmt"
	"sort"
	"strings"

	"minyi/model"
)

// A group of sign-offs committed in one transaction writes each table once:
// one multi-row INSERT of the new sign-offs, one multi-row upsert of the
// changed ones, one multi-row INSERT of the history entries and of the
// audit events, one UPDATE per touched audit chain head and one multi-row
// upsert of the touched tally counters (each counter moved once, by the sum
// of the batch's moves). On MySQL all of it travels in one round trip.

// SignOffBatch is what a group of sign-off changes writes.
type SignOffBatch struct {
	// Inserts are the final states of households that had no sign-off
	// before the batch; Updates of those that had one (locked by LockSignOff).
	Inserts []*model.SignOff
	Updates []*model.SignOff
	// Events are the history entries, one per change, in order.
	Events []model.SignOffEvent
	// Counters are the summed moves of the tally counters.
	Counters []CounterMove
	// Audit are the events of the changes, in order, their places in the
	// chains not yet known (LockAuditChainHeads and ChainAuditEvents).
	Audit []*model.AuditEvent
	// Visits are an offline batch's visits; SyncRecords remember its
	// applied records (a client id remembered already fails the batch with
	// model.ErrConflict).
	Visits      []*model.Visit
	SyncRecords []model.SyncRecord
}

// CounterMove is what a batch adds to one tally counter.
type CounterMove struct {
	RoundID        string
	Building       string
	Decision       string
	Households     int64
	AreaHundredths int64
}

// signOffColumns are the columns a sign-off's INSERT writes, in order.
const signOffColumns = `id, round_id, household_id, building, decision, channel, signer_name,
	evidence_url, comment, version, actor_kind, actor_id, recorded_at, principal_name, evidence_upload_id`

// signOffChangedColumns are the columns a later version changes.
var signOffChangedColumns = []string{"decision", "channel", "signer_name", "evidence_url", "comment", "version",
	"actor_kind", "actor_id", "recorded_at", "principal_name", "evidence_upload_id"}

func signOffValues(so *model.SignOff) []any {
	return []any{so.ID, so.RoundID, so.HouseholdID, so.Building, so.Decision, so.Channel, so.SignerName,
		so.EvidenceURL, so.Comment, so.Version, so.ActorKind, so.ActorID, so.RecordedAt, so.PrincipalName, so.EvidenceUploadID}
}

// valueRows is the VALUES list of rows rows of columns placeholders each.
func valueRows(rows, columns int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", columns), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
}

// WriteSignOffBatch writes a batch: sign-offs, history, audit events and
// chain heads, and the counters last. A new sign-off that another
// transaction inserted first fails the batch with model.ErrConflict (the
// caller retries it); a counter row that does not exist fails it too.
// The audit events must have their places in their chains (ChainAuditEvents).
func (t *Tx) WriteSignOffBatch(b SignOffBatch, heads []model.AuditChain) error {
	var statements []model.Statement
	if len(b.Inserts) > 0 {
		var args []any
		for _, so := range b.Inserts {
			args = append(args, signOffValues(so)...)
		}
		statements = append(statements, model.Statement{
			SQL:  `INSERT INTO sign_offs (` + signOffColumns + `) VALUES ` + valueRows(len(b.Inserts), 15),
			Args: args,
		})
	}
	if len(b.Updates) > 0 {
		var args []any
		for _, so := range b.Updates {
			args = append(args, signOffValues(so)...)
		}
		sets := make([]string, len(signOffChangedColumns))
		for i, c := range signOffChangedColumns {
			if t.MySQL() {
				sets[i] = c + " = VALUES(" + c + ")"
			} else {
				sets[i] = c + " = excluded." + c
			}
		}
		conflict := " ON CONFLICT (id) DO UPDATE SET "
		if t.MySQL() {
			conflict = " ON DUPLICATE KEY UPDATE "
		}
		statements = append(statements, model.Statement{
			SQL:  `INSERT INTO sign_offs (` + signOffColumns + `) VALUES ` + valueRows(len(b.Updates), 15) + conflict + strings.Join(sets, ", "),
			Args: args,
		})
	}
	if len(b.Events) > 0 {
		var args []any
		for _, e := range b.Events {
			args = append(args, e.ID, e.RoundID, e.HouseholdID, e.Version, e.OldDecision, e.NewDecision, e.Channel,
				e.SignerName, e.Comment, e.ActorKind, e.ActorID, e.ActorRole, e.RequestID, e.RecordedAt)
		}
		statements = append(statements, model.Statement{
			SQL: `INSERT INTO sign_off_events (id, round_id, household_id, version, old_decision, new_decision, channel,
			signer_name, comment, actor_kind, actor_id, actor_role, request_id, recorded_at) VALUES ` + valueRows(len(b.Events), 14),
			Args: args,
		})
	}
	if len(b.Visits) > 0 {
		var args []any
		for _, v := range b.Visits {
			args = append(args, v.ID, v.RoundID, v.HouseholdID, v.Outcome, v.Note, v.Channel, v.ActorKind, v.ActorID,
				v.RequestID, v.VisitedAt, v.RecordedAt)
		}
		statements = append(statements, model.Statement{
			SQL: `INSERT INTO visits (id, round_id, household_id, outcome, note, channel, actor_kind, actor_id,
			request_id, visited_at, recorded_at) VALUES ` + valueRows(len(b.Visits), 11),
			Args: args,
		})
	}
	if len(b.SyncRecords) > 0 {
		var args []any
		for _, r := range b.SyncRecords {
			args = append(args, r.Caller, r.ClientID, r.RoundID, r.HouseholdID, r.Type, r.DeviceRecordedAt,
				r.RequestID, r.ResultJSON, r.CreatedAt)
		}
		statements = append(statements, model.Statement{
			SQL: `INSERT INTO sync_records (caller, client_id, round_id, household_id, type, device_recorded_at,
			request_id, result_json, created_at) VALUES ` + valueRows(len(b.SyncRecords), 9),
			Args: args,
		})
	}
	statements = append(statements, chainStatements(b.Audit, heads)...)
	moves := make([]CounterMove, 0, len(b.Counters))
	for _, m := range b.Counters {
		if m.Households != 0 || m.AreaHundredths != 0 {
			moves = append(moves, m)
		}
	}
	if len(moves) > 0 && !t.MySQL() {
		if err := t.countersExist(moves); err != nil {
			return err
		}
	}
	if len(moves) > 0 {
		var args []any
		for _, m := range moves {
			args = append(args, m.RoundID, m.Building, m.Decision, m.Households, m.AreaHundredths)
		}
		sql := `INSERT INTO tally_counters (round_id, building, decision, households, area_hundredths) VALUES ` + valueRows(len(moves), 5)
		if t.MySQL() {
			sql += ` ON DUPLICATE KEY UPDATE households = households + VALUES(households), area_hundredths = area_hundredths + VALUES(area_hundredths)`
		} else {
			sql += ` ON CONFLICT (round_id, building, decision) DO UPDATE SET households = households + excluded.households,
				area_hundredths = area_hundredths + excluded.area_hundredths`
		}
		statements = append(statements, model.Statement{SQL: sql, Args: args})
	}
	if len(statements) == 0 {
		return nil
	}
	affected, err := t.ExecBatch(statements)
	if err != nil {
		return model.Translate(err)
	}
	// On MySQL an upsert that changed an existing row counts 2, one that
	// inserted a row 1: fewer than 2 a move means a counter was missing.
	if len(moves) > 0 && t.MySQL() && affected != 2*int64(len(moves)) {
		return fmt.Errorf("tally counters missing: %d rows moved for %d counters", affected, len(moves))
	}
	return nil
}

// countersExist fails unless every counter the moves touch exists (SQLite,
// where an upsert does not tell an update from an insert).
func (t *Tx) countersExist(moves []CounterMove) error {
	var where []string
	var args []any
	for _, m := range moves {
		where = append(where, "(round_id = ? AND building = ? AND decision = ?)")
		args = append(args, m.RoundID, m.Building, m.Decision)
	}
	var n int64
	if err := t.g.Model(&model.TallyCounter{}).Where(strings.Join(where, " OR "), args...).Count(&n).Error; err != nil {
		return model.Translate(err)
	}
	if n != int64(len(moves)) {
		return fmt.Errorf("tally counters missing: %d of %d exist", n, len(moves))
	}
	return nil
}

// LockAuditChainHeads reads the heads of the chains, locking them on MySQL
// until the commit, in chain order (so that batches lock them in one
// order); the missing heads of the estates are created first.
func (t *Tx) LockAuditChainHeads(chainEstates map[string]string, shards int) (map[string]*model.AuditChain, error) {
	ids := make([]string, 0, len(chainEstates))
	for id := range chainEstates {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	read := func() ([]model.AuditChain, error) {
		q := t.g
		if t.MySQL() {
			q = t.locking()
		}
		var heads []model.AuditChain
		err := result(q.Where("chain_id IN ?", ids).Order("chain_id").Find(&heads))
		return heads, err
	}
	heads, err := read()
	if err != nil {
		return nil, err
	}
	if len(heads) < len(ids) {
		found := map[string]bool{}
		for _, h := range heads {
			found[h.ChainID] = true
		}
		ensured := map[string]bool{}
		for _, id := range ids {
			if estate := chainEstates[id]; !found[id] && !ensured[estate] {
				if err := t.EnsureAuditChainHeads(estate, shards); err != nil {
					return nil, err
				}
				ensured[estate] = true
			}
		}
		if heads, err = read(); err != nil {
			return nil, err
		}
		if len(heads) < len(ids) {
			return nil, fmt.Errorf("audit chain heads missing: %d of %d", len(heads), len(ids))
		}
	}
	byID := make(map[string]*model.AuditChain, len(heads))
	for i := range heads {
		byID[heads[i].ChainID] = &heads[i]
	}
	return byID, nil
}

// ChainAuditEvents gives each event, in order, its place at the end of its
// chain (Seq, PrevHash, Hash) and moves the heads along; it returns the
// heads it moved, in chain order.
func ChainAuditEvents(events []*model.AuditEvent, heads map[string]*model.AuditChain) ([]model.AuditChain, error) {
	moved := map[string]bool{}
	for _, e := range events {
		head := heads[e.ChainID]
		if head == nil {
			return nil, fmt.Errorf("audit chain %s not locked", e.ChainID)
		}
		e.Seq, e.PrevHash = head.Seq+1, head.HeadHash
		e.Hash = model.ChainHash(e.PrevHash, e.Canonical())
		head.Seq, head.PrevHash, head.HeadHash = e.Seq, e.PrevHash, e.Hash
		moved[e.ChainID] = true
	}
	var out []model.AuditChain
	for id := range moved {
		out = append(out, *heads[id])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ChainID < out[j].ChainID })
	return out, nil
}

// chainStatements are the multi-row INSERT of the events and the UPDATE of
// each moved chain head.
func chainStatements(events []*model.AuditEvent, heads []model.AuditChain) []model.Statement {
	if len(events) == 0 {
		return nil
	}
	var args []any
	for _, e := range events {
		args = append(args, e.ID, e.ChainID, e.EstateID, e.ActorKind, e.ActorID, e.ActorRole, e.Channel, e.Action,
			e.ObjectType, e.ObjectID, e.BeforeSummary, e.AfterSummary, e.RequestID, e.OccurredAt, e.Seq, e.PrevHash, e.Hash)
	}
	statements := []model.Statement{{
		SQL:  `INSERT INTO audit_events (` + auditColumns + `) VALUES ` + valueRows(len(events), 17),
		Args: args,
	}}
	for _, h := range heads {
		statements = append(statements, model.Statement{
			SQL:  `UPDATE audit_chains SET seq = ?, prev_hash = ?, head_hash = ? WHERE chain_id = ?`,
			Args: []any{h.Seq, h.PrevHash, h.HeadHash, h.ChainID},
		})
	}
	return statements
}

// SignOffKey names a household's sign-off in a round.
type SignOffKey struct{ RoundID, HouseholdID string }

// SignOffTargets is what a batch of sign-offs learns about its rounds,
// households and staff in three statements (SignOffTargetsOf).
type SignOffTargets struct {
	rounds  map[string]model.Round
	members map[SignOffKey]model.RoundMember
	staff   map[model.EstateStaff]bool // estate, user and role only
}

// SignOffTargetsOf reads, for a batch, the rounds (in share mode on MySQL,
// as SignOffTarget), the households' electorate entries and the staff
// assignments of the users.
func (t *Tx) SignOffTargetsOf(keys []SignOffKey, userIDs []string) (*SignOffTargets, error) {
	out := &SignOffTargets{rounds: map[string]model.Round{}, members: map[SignOffKey]model.RoundMember{},
		staff: map[model.EstateStaff]bool{}}
	if len(keys) == 0 {
		return out, nil
	}
	roundIDs := map[string]bool{}
	var rounds []string
	for _, k := range keys {
		if !roundIDs[k.RoundID] {
			roundIDs[k.RoundID] = true
			rounds = append(rounds, k.RoundID)
		}
	}
	sort.Strings(rounds)
	where, whereArgs := byRound(keys)
	query := `SELECT id, estate_id, status, closes_at, late_sync_hours FROM rounds WHERE id IN ? ORDER BY id`
	if t.MySQL() {
		query += " LOCK IN SHARE MODE"
	}
	var found []model.Round
	if err := result(t.g.Raw(query, rounds).Scan(&found)); err != nil {
		return nil, err
	}
	for _, r := range found {
		out.rounds[r.ID] = r
	}
	var members []model.RoundMember
	if err := result(t.g.Select("round_id", "household_id", "building", "area_hundredths").
		Where(where, whereArgs...).Find(&members)); err != nil {
		return nil, err
	}
	for _, m := range members {
		out.members[SignOffKey{m.RoundID, m.HouseholdID}] = m
	}
	if len(userIDs) > 0 {
		var staff []model.EstateStaff
		if err := result(t.g.Select("estate_id", "user_id", "role").Where("user_id IN ?", userIDs).Find(&staff)); err != nil {
			return nil, err
		}
		for _, s := range staff {
			out.staff[model.EstateStaff{EstateID: s.EstateID, UserID: s.UserID, Role: s.Role}] = true
		}
	}
	return out, nil
}

// Target is what SignOffTarget would read for one sign-off (model.ErrNotFound
// when there is no such round).
func (ts *SignOffTargets) Target(roundID, householdID, userID, role string) (SignOffTarget, error) {
	r, ok := ts.rounds[roundID]
	if !ok {
		return SignOffTarget{}, model.ErrNotFound
	}
	target := SignOffTarget{RoundID: r.ID, EstateID: r.EstateID, Status: r.Status, ClosesAt: r.ClosesAt,
		LateSyncHours: r.LateSyncHours, Assigned: ts.staff[model.EstateStaff{EstateID: r.EstateID, UserID: userID, Role: role}]}
	if m, ok := ts.members[SignOffKey{roundID, householdID}]; ok {
		building, area := m.Building, m.AreaHundredths
		target.Building, target.AreaHundredths, target.InElectorate = &building, &area, true
	}
	return target, nil
}

// LockSignOffs reads the sign-offs of the households in the rounds (absent
// ones are missing from the map), locking them on MySQL, as LockSignOff.
func (t *Tx) LockSignOffs(keys []SignOffKey) (map[SignOffKey]*model.SignOff, error) {
	out := map[SignOffKey]*model.SignOff{}
	if len(keys) == 0 {
		return out, nil
	}
	where, args := byRound(keys)
	q := t.g
	if t.MySQL() {
		q = t.locking()
	}
	var rows []model.SignOff
	if err := result(q.Where(where, args...).Find(&rows)); err != nil {
		return nil, err
	}
	for i := range rows {
		out[SignOffKey{rows[i].RoundID, rows[i].HouseholdID}] = &rows[i]
	}
	return out, nil
}

// byRound is a WHERE condition matching the keys: for each round, its
// households in one IN list.
func byRound(keys []SignOffKey) (string, []any) {
	households := map[string][]string{}
	var rounds []string
	for _, k := range keys {
		if _, ok := households[k.RoundID]; !ok {
			rounds = append(rounds, k.RoundID)
		}
		households[k.RoundID] = append(households[k.RoundID], k.HouseholdID)
	}
	sort.Strings(rounds)
	var where []string
	var args []any
	for _, r := range rounds {
		where = append(where, "(round_id = ? AND household_id IN ?)")
		args = append(args, r, households[r])
	}
	return strings.Join(where, " OR "), args
}

// ResidentRound names a resident acting in a round.
type ResidentRound struct{ ResidentID, RoundID string }

// ResidentRoundBindingsOf reads, for a batch of residents' sign-offs, what
// ResidentRoundBindings reads for each pair in one statement: the round's
// status with each household the resident is bound to in the round's
// estate, in household order. A pair missing from the map has no round or
// no household there.
func (t *Tx) ResidentRoundBindingsOf(pairs []ResidentRound) (map[ResidentRound][]ResidentRoundBinding, error) {
	out := map[ResidentRound][]ResidentRoundBinding{}
	if len(pairs) == 0 {
		return out, nil
	}
	wanted := map[ResidentRound]bool{}
	var residents, rounds []string
	seenResident, seenRound := map[string]bool{}, map[string]bool{}
	for _, p := range pairs {
		wanted[p] = true
		if !seenResident[p.ResidentID] {
			seenResident[p.ResidentID] = true
			residents = append(residents, p.ResidentID)
		}
		if !seenRound[p.RoundID] {
			seenRound[p.RoundID] = true
			rounds = append(rounds, p.RoundID)
		}
	}
	var rows []struct {
		ResidentID  string
		RoundID     string
		Status      string
		HouseholdID string
	}
	if err := result(t.g.Raw(`SELECT b.resident_id, r.id AS round_id, r.status, b.household_id FROM rounds r
		JOIN resident_bindings b ON b.estate_id = r.estate_id
		WHERE r.id IN ? AND b.resident_id IN ? ORDER BY b.household_id`, rounds, residents).Scan(&rows)); err != nil {
		return nil, err
	}
	for _, row := range rows {
		key := ResidentRound{row.ResidentID, row.RoundID}
		if wanted[key] {
			household := row.HouseholdID
			out[key] = append(out[key], ResidentRoundBinding{Status: row.Status, HouseholdID: &household})
		}
	}
	return out, nil
}

// HouseholdSignersOf reads the designated signers of the households: the
// set of (household, resident) pairs, as IsHouseholdSigner asks one at a time.
func (t *Tx) HouseholdSignersOf(householdIDs []string) (map[model.HouseholdSigner]bool, error) {
	out := map[model.HouseholdSigner]bool{}
	if len(householdIDs) == 0 {
		return out, nil
	}
	var rows []model.HouseholdSigner
	if err := result(t.g.Select("household_id", "resident_id").Where("household_id IN ?", householdIDs).Find(&rows)); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[model.HouseholdSigner{HouseholdID: r.HouseholdID, ResidentID: r.ResidentID}] = true
	}
	return out, nil
}

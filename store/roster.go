package store

import (
	"fmt"
	"strings"

	"minyi/model"
)

// Statements of a roster import: the estate's households read and written
// in bulk, and the import's audit events appended in bulk.

// rosterBatchRows is the number of rows per multi-row insert of an import:
// the SQLite driver binds arguments in time quadratic in their number, so
// its statements stay small; MySQL gets fewer, larger ones.
func (t *Tx) rosterBatchRows() int {
	if t.MySQL() {
		return 1000
	}
	return 50
}

// HouseholdsOfEstate reads all of an estate's households.
func (t *Tx) HouseholdsOfEstate(estateID string) ([]model.Household, error) {
	var households []model.Household
	err := result(t.g.Where("estate_id = ?", estateID).Find(&households))
	return households, err
}

// UpsertHouseholds writes households in multi-row statements: a row whose
// address exists updates it (its id and creation time stay), the others
// are inserted. Plain SQL, because GORM would replace a false "eligible"
// by the column's default.
func (t *Tx) UpsertHouseholds(households []model.Household) error {
	const columns = "id, estate_id, building, unit, room, area_hundredths, owner_name, phone, phone_hash, occupancy, eligible, created_at, updated_at"
	updated := []string{"area_hundredths", "owner_name", "phone", "phone_hash", "occupancy", "eligible", "updated_at"}
	var onConflict strings.Builder
	if t.MySQL() {
		onConflict.WriteString(" ON DUPLICATE KEY UPDATE ")
		for i, c := range updated {
			if i > 0 {
				onConflict.WriteString(", ")
			}
			fmt.Fprintf(&onConflict, "%s = VALUES(%s)", c, c)
		}
	} else {
		onConflict.WriteString(" ON CONFLICT (estate_id, building, unit, room) DO UPDATE SET ")
		for i, c := range updated {
			if i > 0 {
				onConflict.WriteString(", ")
			}
			fmt.Fprintf(&onConflict, "%s = excluded.%s", c, c)
		}
	}
	size := t.rosterBatchRows()
	for start := 0; start < len(households); start += size {
		batch := households[start:min(start+size, len(households))]
		var sql strings.Builder
		sql.WriteString("INSERT INTO households (" + columns + ") VALUES ")
		args := make([]any, 0, 13*len(batch))
		for i, h := range batch {
			if i > 0 {
				sql.WriteString(", ")
			}
			sql.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			phone, phoneHash, err := model.SealedPhone(t.db.Keys(), h.Phone) // plain SQL: seal as the model would
			if err != nil {
				return err
			}
			args = append(args, h.ID, h.EstateID, h.Building, h.Unit, h.Room, h.AreaHundredths, h.OwnerName,
				phone, phoneHash, h.Occupancy, h.Eligible, h.CreatedAt, h.UpdatedAt)
		}
		sql.WriteString(onConflict.String())
		if err := result(t.g.Exec(sql.String(), args...)); err != nil {
			return err
		}
	}
	return nil
}

// auditBatchRows bounds the events per insert statement.
const auditBatchRows = 250

// InsertAuditEvents writes events whose place in their chain is set, in
// multi-row statements.
func (t *Tx) InsertAuditEvents(events []*model.AuditEvent) error {
	const columns = `id, chain_id, estate_id, actor_kind, actor_id, actor_role, channel, action, object_type,
		object_id, before_summary, after_summary, request_id, occurred_at, seq, prev_hash, hash`
	const placeholders = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	size := min(t.rosterBatchRows(), auditBatchRows)
	for start := 0; start < len(events); start += size {
		batch := events[start:min(start+size, len(events))]
		args := make([]any, 0, 17*len(batch))
		for _, e := range batch {
			args = append(args, e.ID, e.ChainID, e.EstateID, e.ActorKind, e.ActorID, e.ActorRole, e.Channel, e.Action,
				e.ObjectType, e.ObjectID, e.BeforeSummary, e.AfterSummary, e.RequestID, e.OccurredAt, e.Seq, e.PrevHash, e.Hash)
		}
		sql := "INSERT INTO audit_events (" + columns + ") VALUES " + strings.TrimSuffix(strings.Repeat(placeholders+", ", len(batch)), ", ")
		if err := result(t.g.Exec(sql, args...)); err != nil {
			return err
		}
	}
	return nil
}

// SaveAuditChainHeads writes each head's new sequence number and hashes,
// in the order given, skipping heads at sequence 0 (nothing appended): on
// MySQL an update of the existing head (LockAuditChainHeads), all in one
// round trip; on SQLite an upsert.
func (t *Tx) SaveAuditChainHeads(heads []model.AuditChain) error {
	var statements []model.Statement
	for _, h := range heads {
		if h.Seq == 0 {
			continue // not appended to
		}
		if t.MySQL() {
			statements = append(statements, model.Statement{
				SQL:  `UPDATE audit_chains SET seq = ?, prev_hash = ?, head_hash = ? WHERE chain_id = ?`,
				Args: []any{h.Seq, h.PrevHash, h.HeadHash, h.ChainID}})
			continue
		}
		statements = append(statements, model.Statement{
			SQL: `INSERT INTO audit_chains (chain_id, estate_id, seq, prev_hash, head_hash) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (chain_id) DO UPDATE SET seq = excluded.seq, prev_hash = excluded.prev_hash, head_hash = excluded.head_hash`,
			Args: []any{h.ChainID, h.EstateID, h.Seq, h.PrevHash, h.HeadHash}})
	}
	_, err := t.ExecBatch(statements)
	return model.Translate(err)
}

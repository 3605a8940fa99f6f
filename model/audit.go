package model

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// AuditEvent is one append-only entry of the audit ledger: who did what to
// which object, through which channel, in which request, with a short
// before/after summary. Events form hash chains (AuditChain): Hash is the
// SHA-256 of PrevHash followed by the event's canonical encoding. No code
// path updates or deletes an event.
type AuditEvent struct {
	ID            string    `gorm:"type:varchar(36);primaryKey;index:ix_audit_events_estate,priority:2"`
	ChainID       string    `gorm:"type:varchar(48);not null;uniqueIndex:ux_audit_events_chain_seq,priority:1"`
	Seq           int64     `gorm:"not null;uniqueIndex:ux_audit_events_chain_seq,priority:2"`
	EstateID      string    `gorm:"type:varchar(36);not null;index:ix_audit_events_estate,priority:1"`
	ActorKind     string    `gorm:"type:varchar(16);not null"`
	ActorID       string    `gorm:"type:varchar(64);not null"`
	ActorRole     string    `gorm:"type:varchar(16);not null"`
	Channel       string    `gorm:"type:varchar(16);not null"`
	Action        string    `gorm:"type:varchar(48);not null"`
	ObjectType    string    `gorm:"type:varchar(32);not null"`
	ObjectID      string    `gorm:"type:varchar(64);not null"`
	BeforeSummary string    `gorm:"type:text"`
	AfterSummary  string    `gorm:"type:text"`
	RequestID     string    `gorm:"type:varchar(64);not null"`
	OccurredAt    time.Time `gorm:"not null"`
	PrevHash      string    `gorm:"type:varchar(64);not null"`
	Hash          string    `gorm:"type:varchar(64);not null"`
}

// AuditChain is the head of one hash chain of audit events: its last
// sequence number and hash. Appending an event locks the head row, so the
// events of one chain are written one after another.
type AuditChain struct {
	ChainID  string `gorm:"type:varchar(48);primaryKey"`
	EstateID string `gorm:"type:varchar(36);not null;index:ix_audit_chains_estate"`
	Seq      int64  `gorm:"not null"`
	PrevHash string `gorm:"type:varchar(64);not null"`
	HeadHash string `gorm:"type:varchar(64);not null"`
}

// AuditGenesis is the previous hash of the first event of every chain.
const AuditGenesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Canonical is the encoding an event's hash covers: a JSON array of its
// fields in a fixed order, the time in UTC to the millisecond. The sequence
// number and hashes are not part of it; the chain links order the events.
func (e *AuditEvent) Canonical() string {
	encoded, _ := json.Marshal([]string{"minyi-audit-v1", e.ID, e.ChainID, e.EstateID, e.ActorKind, e.ActorID,
		e.ActorRole, e.Channel, e.Action, e.ObjectType, e.ObjectID, e.BeforeSummary, e.AfterSummary, e.RequestID,
		e.OccurredAt.UTC().Format("2006-01-02T15:04:05.000Z")})
	return string(encoded)
}

// ChainHash is the hash of an event: SHA-256 over the previous event's hash
// (64 hex digits) followed by the event's canonical encoding, in hex.
func ChainHash(prevHash, canonical string) string {
	sum := sha256.Sum256([]byte(prevHash + canonical))
	return hex.EncodeToString(sum[:])
}

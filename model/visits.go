package model

import "time"

// Visit is one home visit (入户) to a household during a round, with its
// outcome. A household may be visited several times; a sign-off also counts
// as a visit when the visit rate is computed.
type Visit struct {
	ID          string `gorm:"type:varchar(36);primaryKey"`
	RoundID     string `gorm:"type:varchar(36);not null;index:ix_visits_round_household,priority:1"`
	HouseholdID string `gorm:"type:varchar(36);not null;index:ix_visits_round_household,priority:2"`
	Outcome     string `gorm:"type:varchar(16);not null"`
	Note        string `gorm:"type:text"`
	Channel     string `gorm:"type:varchar(16);not null"`
	ActorKind   string `gorm:"type:varchar(16);not null"`
	ActorID     string `gorm:"type:varchar(36);not null"`
	RequestID   string `gorm:"type:varchar(64);not null;default:''"`
	// VisitedAt is when the visit happened (the device's time for synced visits).
	VisitedAt time.Time
	// RecordedAt is when the server stored the visit.
	RecordedAt time.Time
}

// SyncRecord remembers the first result of one record of an offline batch,
// per caller and client-generated id, so that a repeated record is applied
// only once and answered with its first result.
type SyncRecord struct {
	Caller      string `gorm:"type:varchar(64);primaryKey"`
	ClientID    string `gorm:"type:varchar(36);primaryKey"`
	RoundID     string `gorm:"type:varchar(36);not null;default:''"`
	HouseholdID string `gorm:"type:varchar(36);not null;default:''"`
	Type        string `gorm:"type:varchar(16);not null"`
	// DeviceRecordedAt is the record's time on the device.
	DeviceRecordedAt time.Time
	RequestID        string `gorm:"type:varchar(64);not null;default:''"`
	ResultJSON       string `gorm:"type:text;not null"`
	CreatedAt        time.Time
}

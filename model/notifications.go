package model

import "time"

// ResidentSubscription counts what a resident accepted in WeChat's
// subscribe-message dialog for one kind of message: each acceptance allows
// one message, and a sent message uses one up.
type ResidentSubscription struct {
	ResidentID string `gorm:"type:varchar(36);primaryKey"`
	Kind       string `gorm:"type:varchar(32);primaryKey"`
	Remaining  int    `gorm:"not null;default:0"`
	UpdatedAt  time.Time
}

// Notification is one subscribe message in the outbox. It is written in the
// transaction of the change that causes it and sent later by the sender
// loop. DedupeKey makes a message for one event and one resident unique.
type Notification struct {
	ID         string `gorm:"type:varchar(36);primaryKey"`
	Kind       string `gorm:"type:varchar(32);not null"`
	ResidentID string `gorm:"type:varchar(36);not null;index:ix_notifications_resident"`
	EstateID   string `gorm:"type:varchar(36);not null;default:''"`
	// SubjectKind and SubjectID name what the message is about (a round, an objection).
	SubjectKind string `gorm:"type:varchar(16);not null;default:''"`
	SubjectID   string `gorm:"type:varchar(36);not null;default:''"`
	DedupeKey   string `gorm:"type:varchar(160);not null;uniqueIndex:ux_notifications_dedupe"`
	// Data is the message's template data, JSON.
	Data string `gorm:"type:text"`
	// Status: pending, sending (claimed by a sender), sent, failed.
	Status        string    `gorm:"type:varchar(16);not null;index:ix_notifications_status_next,priority:1"`
	Attempts      int       `gorm:"not null;default:0"`
	NextAttemptAt time.Time `gorm:"index:ix_notifications_status_next,priority:2"`
	ClaimedAt     *time.Time
	SentAt        *time.Time
	LastError     string `gorm:"type:varchar(200);not null;default:''"`
	CreatedAt     time.Time
}

// RoundReminder records that the deadline reminders of a round were
// enqueued, so that they are enqueued once (also with several instances).
type RoundReminder struct {
	RoundID    string `gorm:"type:varchar(36);primaryKey"`
	EnqueuedAt time.Time
}

package model

import "time"

// NoticeSnapshot is the public figures of one open round as last published
// on the notice board (a read model shared by every instance): the board
// shows this tally, not the live counters, until the next snapshot is taken.
type NoticeSnapshot struct {
	RoundID string `gorm:"type:varchar(36);primaryKey"`
	// TakenAt is when the figures were read: the board's "as_of".
	TakenAt time.Time `gorm:"not null"`
	// Households is how many households' decisions changed since the previous
	// snapshot; 0 marks a round's opening snapshot.
	Households int64 `gorm:"not null;default:0"`
	// TallyJSON is the round's tally at TakenAt (service.Tally as JSON).
	TallyJSON string `gorm:"type:mediumtext;not null"`
}

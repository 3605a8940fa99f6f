package model

import "time"

// Objection is one objection (反对意见/异议) raised about an estate's plan,
// optionally in a round and for a household. Its current answer and
// follow-up are kept on the row; every change is also appended to
// ObjectionEvent so that amended answers keep their earlier text.
type Objection struct {
	ID          string  `gorm:"type:varchar(36);primaryKey"`
	EstateID    string  `gorm:"type:varchar(36);not null;index:ix_objections_estate_status,priority:1"`
	Status      string  `gorm:"type:varchar(16);not null;index:ix_objections_estate_status,priority:2"` // open, answered, closed
	RoundID     *string `gorm:"type:varchar(36);index:ix_objections_round"`
	HouseholdID *string `gorm:"type:varchar(36);index:ix_objections_household"`
	Category    string  `gorm:"type:varchar(32);not null"`
	PlanItem    string  `gorm:"type:varchar(100);not null;default:''"`
	Content     string  `gorm:"type:text;not null"`
	// Moderation is "published", "held" (waiting for a worker) or "rejected";
	// held or rejected text never appears on public pages.
	Moderation string `gorm:"type:varchar(16);not null;default:'published'"`
	// Who filed it: a resident for their own household, or staff on a resident's behalf.
	Channel     string `gorm:"type:varchar(16);not null"`
	FiledByKind string `gorm:"type:varchar(16);not null"`
	FiledByID   string `gorm:"type:varchar(36);not null;index:ix_objections_filed_by"`
	FiledByRole string `gorm:"type:varchar(16);not null"`
	// The current answer (empty until answered).
	Outcome       string  `gorm:"type:varchar(24);not null;default:''"` // adopted, partially_adopted, not_adopted
	Explanation   string  `gorm:"type:text"`
	RevisionID    *string `gorm:"type:varchar(36);index:ix_objections_revision"`
	AnswerVersion int     `gorm:"not null;default:0"`
	AnsweredBy    string  `gorm:"type:varchar(36);not null;default:''"`
	AnsweredAt    *time.Time
	// The follow-up visit that closes it.
	FollowUpSatisfied *bool
	FollowUpNote      string `gorm:"type:text"`
	ClosedBy          string `gorm:"type:varchar(36);not null;default:''"`
	ClosedAt          *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
	// PublicSummary is the answerer's summary of the objection: the only
	// text of it the notice board shows (never the resident's own words).
	PublicSummary string `gorm:"type:varchar(200);not null;default:''"`
	// The dispute table (会同): the staff user handling it, the date it is
	// due (nil on rows filed before due dates existed: then created_at plus
	// the default period) and the objector's own confirmation.
	HandlerID             string `gorm:"type:varchar(36);not null;default:'';index:ix_objections_handler"`
	DueAt                 *time.Time
	ConfirmationSatisfied *bool
	ConfirmationNote      string `gorm:"type:text"`
	ConfirmedAt           *time.Time
}

// ObjectionEvent is one append-only entry of an objection's history: filed,
// answered, amended (an answer replaced, the earlier text kept here) or closed.
type ObjectionEvent struct {
	ID          string  `gorm:"type:varchar(36);primaryKey"`
	ObjectionID string  `gorm:"type:varchar(36);not null;index:ix_objection_events_objection"`
	Kind        string  `gorm:"type:varchar(16);not null"` // filed, answered, amended, closed
	Status      string  `gorm:"type:varchar(16);not null"` // the status after the event
	Outcome     string  `gorm:"type:varchar(24);not null;default:''"`
	Explanation string  `gorm:"type:text"`
	RevisionID  *string `gorm:"type:varchar(36)"`
	Satisfied   *bool
	Note        string `gorm:"type:text"`
	ActorKind   string `gorm:"type:varchar(16);not null"`
	ActorID     string `gorm:"type:varchar(36);not null"`
	ActorRole   string `gorm:"type:varchar(16);not null"`
	Channel     string `gorm:"type:varchar(16);not null;default:''"`
	RequestID   string `gorm:"type:varchar(64);not null;default:''"`
	RecordedAt  time.Time
	// PublicSummary is the answer's public summary (answered and amended events).
	PublicSummary string `gorm:"type:varchar(200);not null;default:''"`
}

// Revision is one published version of an estate's plan (方案修改), numbered
// 1, 2, 3… per estate; the unique index makes the numbering safe under
// concurrent publication.
type Revision struct {
	ID          string `gorm:"type:varchar(36);primaryKey"`
	EstateID    string `gorm:"type:varchar(36);not null;uniqueIndex:ux_revisions_estate_version,priority:1"`
	Version     int    `gorm:"not null;uniqueIndex:ux_revisions_estate_version,priority:2"`
	Title       string `gorm:"type:varchar(200);not null"`
	Summary     string `gorm:"type:text"`
	Changes     string `gorm:"type:mediumtext"`
	PublishedBy string `gorm:"type:varchar(36);not null;default:''"`
	PublishedAt time.Time
}

// RevisionObjection links a revision to an objection it addresses.
type RevisionObjection struct {
	RevisionID  string `gorm:"type:varchar(36);primaryKey"`
	ObjectionID string `gorm:"type:varchar(36);primaryKey;index:ix_revision_objections_objection"`
}

// Upload is one stored file (a photo or a PDF drawing). It belongs to its
// uploader until attached to an objection or a revision; the file lives under
// the data directory with a random name, never the client's.
type Upload struct {
	ID           string `gorm:"type:varchar(36);primaryKey"`
	StoredName   string `gorm:"type:varchar(80);not null;uniqueIndex:ux_uploads_stored_name"`
	ContentType  string `gorm:"type:varchar(64);not null"`
	SizeBytes    int64  `gorm:"not null"`
	SHA256       string `gorm:"type:varchar(64);not null"`
	UploaderKind string `gorm:"type:varchar(16);not null"`
	UploaderID   string `gorm:"type:varchar(36);not null;index:ix_uploads_uploader"`
	// EstateID is set when the upload is attached (or uploaded for an estate).
	EstateID  *string `gorm:"type:varchar(36);index:ix_uploads_estate"`
	OwnerKind string  `gorm:"type:varchar(16);not null;default:'';index:ix_uploads_owner,priority:1"` // "", objection, revision
	OwnerID   string  `gorm:"type:varchar(36);not null;default:'';index:ix_uploads_owner,priority:2"`
	Position  int     `gorm:"not null;default:0"`
	CreatedAt time.Time
}

// RoundOpenOverride records that an admin opened a plan round although
// objections of the earlier round were unanswered (?force=true): who, when,
// and which objections were still open.
type RoundOpenOverride struct {
	RoundID       string `gorm:"type:varchar(36);primaryKey"`
	ForcedBy      string `gorm:"type:varchar(36);not null"`
	ForcedRole    string `gorm:"type:varchar(16);not null"`
	RequestID     string `gorm:"type:varchar(64);not null;default:''"`
	UnansweredIDs string `gorm:"type:text"` // comma-separated objection ids
	ForcedAt      time.Time
}

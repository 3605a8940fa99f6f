package model

import "time"

// User is a staff account: an admin, a community worker or a designer.
type User struct {
	ID           string `gorm:"type:varchar(36);primaryKey"`
	Username     string `gorm:"type:varchar(64);not null;uniqueIndex:ux_users_username"`
	PasswordHash string `gorm:"type:varchar(100);not null"`
	DisplayName  string `gorm:"type:varchar(100);not null"`
	Role         string `gorm:"type:varchar(16);not null"`
	Disabled     bool   `gorm:"not null;default:false"`
	CreatedAt    time.Time
	UpdatedAt    time.Time

	// TokensValidAfter ends every access token issued before it (logout,
	// password change, disabling, refresh-token reuse); nil: none ended.
	TokensValidAfter *time.Time
}

// RefreshToken is one issued refresh token, stored as a hash. Tokens of one
// login form a family; reusing a rotated token revokes the whole family.
type RefreshToken struct {
	ID          string `gorm:"type:varchar(36);primaryKey"`
	TokenHash   string `gorm:"type:varchar(64);not null;uniqueIndex:ux_refresh_tokens_hash"`
	FamilyID    string `gorm:"type:varchar(36);not null;index:ix_refresh_tokens_family"`
	SubjectKind string `gorm:"type:varchar(16);not null"` // "user" or "resident"
	SubjectID   string `gorm:"type:varchar(36);not null"`
	ExpiresAt   time.Time
	UsedAt      *time.Time
	RevokedAt   *time.Time
	CreatedAt   time.Time
}

// Estate is one residential estate (小区).
type Estate struct {
	ID           string `gorm:"type:varchar(36);primaryKey"`
	Code         string `gorm:"type:varchar(32);not null;uniqueIndex:ux_estates_code"`
	Name         string `gorm:"type:varchar(100);not null"`
	District     string `gorm:"type:varchar(100);not null;default:''"`
	Street       string `gorm:"type:varchar(100);not null;default:''"`
	Community    string `gorm:"type:varchar(100);not null;default:''"`
	Address      string `gorm:"type:varchar(255);not null;default:''"`
	ContactPhone string `gorm:"type:varchar(32);not null;default:''"`
	BuiltYear    *int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// EstateStaff assigns a worker or designer to an estate.
type EstateStaff struct {
	EstateID  string `gorm:"type:varchar(36);primaryKey"`
	UserID    string `gorm:"type:varchar(36);primaryKey;index:ix_estate_staff_user"`
	Role      string `gorm:"type:varchar(16);not null"`
	CreatedAt time.Time
}

// Household is one flat (户) of an estate's roster.
type Household struct {
	ID             string `gorm:"type:varchar(36);primaryKey"`
	EstateID       string `gorm:"type:varchar(36);not null;uniqueIndex:ux_households_address,priority:1"`
	Building       string `gorm:"type:varchar(32);not null;uniqueIndex:ux_households_address,priority:2"`
	Unit           string `gorm:"type:varchar(32);not null;uniqueIndex:ux_households_address,priority:3"`
	Room           string `gorm:"type:varchar(32);not null;uniqueIndex:ux_households_address,priority:4"`
	AreaHundredths int64  `gorm:"not null"`
	OwnerName      string `gorm:"type:varchar(100);not null;default:''"`
	Phone          string `gorm:"type:varchar(128);not null;default:'';serializer:secret"` // sealed: model/fieldcrypt
	PhoneHash      string `gorm:"type:varchar(64);not null;default:'';index:ix_households_phone_hash"`
	Occupancy      string `gorm:"type:varchar(16);not null;default:'owner'"`
	Eligible       bool   `gorm:"not null"` // no default: GORM would turn an explicit false into the default on insert
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Round is one consultation round (征询轮次) of an estate.
type Round struct {
	ID                   string  `gorm:"type:varchar(36);primaryKey"`
	EstateID             string  `gorm:"type:varchar(36);not null;uniqueIndex:ux_rounds_estate_seq,priority:1"`
	Seq                  int     `gorm:"not null;uniqueIndex:ux_rounds_estate_seq,priority:2"`
	Title                string  `gorm:"type:varchar(200);not null"`
	Kind                 string  `gorm:"type:varchar(16);not null"`
	RevisionID           *string `gorm:"type:varchar(36)"`
	RuleJSON             string  `gorm:"type:text;not null"`
	ScopeBuilding        string  `gorm:"type:varchar(32);not null;default:''"`
	ScopeUnit            string  `gorm:"type:varchar(32);not null;default:''"`
	Status               string  `gorm:"type:varchar(16);not null;index:ix_rounds_status_notice,priority:1"`
	OpenedAt             *time.Time
	ClosesAt             *time.Time
	ClosedAt             *time.Time
	ElectorateHouseholds int64  `gorm:"not null;default:0"`
	ElectorateArea       int64  `gorm:"not null;default:0"`
	ResultJSON           string `gorm:"type:mediumtext"`
	CreatedBy            string `gorm:"type:varchar(36);not null;default:''"`
	CreatedAt            time.Time
	UpdatedAt            time.Time
	// ElectorateBasis is which households the electorate frozen at open takes: "eligible" or "all".
	ElectorateBasis string `gorm:"type:varchar(16);not null;default:'eligible'"`
	// LateSyncHours is how long after ClosesAt paper records dated before it may still be synced.
	LateSyncHours int `gorm:"not null;default:24"`
	// NoticeDays is the length of the result's notice period (公示期) after closing.
	NoticeDays int `gorm:"not null;default:7"`
	// CloseReason is the admin's reason for closing before ClosesAt ("" otherwise).
	CloseReason string `gorm:"type:varchar(500);not null;default:''"`
	// NoticeEndsAt is when the notice period ends (ClosedAt + NoticeDays).
	NoticeEndsAt *time.Time `gorm:"index:ix_rounds_status_notice,priority:2"`
	// FinalizedAt is when the round became final or voided.
	FinalizedAt *time.Time
}

// RoundMember is one household of a round's electorate, frozen when the round opens.
type RoundMember struct {
	RoundID        string `gorm:"type:varchar(36);primaryKey;index:ix_round_members_area,priority:1"`
	HouseholdID    string `gorm:"type:varchar(36);primaryKey"`
	Building       string `gorm:"type:varchar(32);not null"`
	Unit           string `gorm:"type:varchar(32);not null"`
	AreaHundredths int64  `gorm:"not null;index:ix_round_members_area,priority:2"`
}

// SignOff is a household's current decision in a round: one row per
// (round, household), enforced by a unique index. A withdrawn decision keeps
// its row with decision "withdrawn" so that the version keeps counting.
type SignOff struct {
	ID          string `gorm:"type:varchar(36);primaryKey"`
	RoundID     string `gorm:"type:varchar(36);not null;uniqueIndex:ux_round_household,priority:1"`
	HouseholdID string `gorm:"type:varchar(36);not null;uniqueIndex:ux_round_household,priority:2"`
	Building    string `gorm:"type:varchar(32);not null"`
	Decision    string `gorm:"type:varchar(16);not null"`
	Channel     string `gorm:"type:varchar(16);not null"`
	SignerName  string `gorm:"type:varchar(100);not null;default:''"`
	EvidenceURL string `gorm:"type:varchar(500);not null;default:''"`
	Comment     string `gorm:"type:text"`
	Version     int    `gorm:"not null"`
	ActorKind   string `gorm:"type:varchar(16);not null"`
	ActorID     string `gorm:"type:varchar(36);not null"`
	RecordedAt  time.Time
	// PrincipalName and EvidenceUploadID are set for a proxy sign-off: whom
	// the signer acted for, and the upload of the authorisation letter.
	PrincipalName    string `gorm:"type:varchar(100);not null;default:''"`
	EvidenceUploadID string `gorm:"type:varchar(36);not null;default:''"`
}

// SignOffEvent is one append-only entry of a sign-off's history.
type SignOffEvent struct {
	ID          string `gorm:"type:varchar(36);primaryKey"`
	RoundID     string `gorm:"type:varchar(36);not null;index:ix_signoff_events_household,priority:1"`
	HouseholdID string `gorm:"type:varchar(36);not null;index:ix_signoff_events_household,priority:2"`
	Version     int    `gorm:"not null"`
	OldDecision string `gorm:"type:varchar(16);not null"`
	NewDecision string `gorm:"type:varchar(16);not null"`
	Channel     string `gorm:"type:varchar(16);not null"`
	SignerName  string `gorm:"type:varchar(100);not null;default:''"`
	Comment     string `gorm:"type:text"`
	ActorKind   string `gorm:"type:varchar(16);not null"`
	ActorID     string `gorm:"type:varchar(36);not null"`
	ActorRole   string `gorm:"type:varchar(16);not null"`
	RequestID   string `gorm:"type:varchar(64);not null;default:''"`
	RecordedAt  time.Time
}

// TallyCounter keeps, per round, building and decision, the number of
// households and their area; the row with decision "electorate" is the
// building's frozen electorate. Updated in each sign-off's transaction.
type TallyCounter struct {
	RoundID        string `gorm:"type:varchar(36);primaryKey"`
	Building       string `gorm:"type:varchar(32);primaryKey"`
	Decision       string `gorm:"type:varchar(16);primaryKey"`
	Households     int64  `gorm:"not null;default:0"`
	AreaHundredths int64  `gorm:"not null;default:0"`
}

// IdempotencyRecord remembers the first response to a write sent with an
// Idempotency-Key, per caller, for 24 hours.
type IdempotencyRecord struct {
	Caller      string    `gorm:"type:varchar(64);primaryKey"`
	Key         string    `gorm:"type:varchar(128);primaryKey"`
	RequestHash string    `gorm:"type:varchar(64);not null"`
	Status      int       `gorm:"not null"`
	ContentType string    `gorm:"type:varchar(100);not null;default:''"`
	Body        []byte    `gorm:"type:mediumblob"`
	CreatedAt   time.Time `gorm:"index:ix_idempotency_created"`
}

// TableName keeps the table's name in the singular, as "staff" has no plural.
func (EstateStaff) TableName() string { return "estate_staff" }

package model

import (
	"context"
	"fmt"
)

// Models lists every table of the schema, in an order that satisfies references.
func Models() []any {
	return []any{
		&User{}, &RefreshToken{}, &Estate{}, &EstateStaff{}, &Household{},
		&Round{}, &RoundMember{}, &SignOff{}, &SignOffEvent{}, &TallyCounter{},
		&IdempotencyRecord{},
		&Objection{}, &ObjectionEvent{}, &Revision{}, &RevisionObjection{}, &Upload{}, &RoundOpenOverride{},
		&Resident{}, &ResidentBinding{}, &BindingCode{}, &BindingFailure{}, &ModerationItem{},
		&Visit{}, &SyncRecord{},
		&AuditChain{}, &AuditEvent{},
		&LoginFailure{},
	}
}

// Migrate brings the schema up to date with the models.
func (db *DB) Migrate(ctx context.Context) error {
	g := db.Gorm.WithContext(ctx)
	if db.Dialect == MySQL {
		g = g.Set("gorm:table_options", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci")
	}
	if err := g.AutoMigrate(Models()...); err != nil {
		return fmt.Errorf("migrate schema: %w", Translate(err))
	}
	return nil
}

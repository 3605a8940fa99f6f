// Package service holds the business rules of Minyi and owns every database
// transaction. Handlers call one service method per request; each write runs
// in one transaction opened by Service.inTx.
package service

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	mathrand "math/rand/v2"
	"time"

	"github.com/google/uuid"

	"minyi/model"
	"minyi/model/fieldcrypt"
	"minyi/store"
)

// Clock tells the time; tests pin it.
type Clock interface{ Now() time.Time }

// SystemClock is the real clock, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// Config holds what the service needs from the environment.
type Config struct {
	// JWTSecret signs access tokens (HS256).
	JWTSecret []byte
	// AccessTokenTTL is the lifetime of an access token (2 hours by default).
	AccessTokenTTL time.Duration
	// RefreshTokenTTL is the lifetime of a refresh token (30 days by default).
	RefreshTokenTTL time.Duration
	// ReceiptKey keys household receipts (receipts.go); empty: derived from JWTSecret.
	ReceiptKey []byte
	// UploadDailyFiles and UploadDailyBytes are one account's upload quota
	// per 24 hours (upload_quota.go); 0 means the defaults (30 files, 100 MiB).
	UploadDailyFiles int
	UploadDailyBytes int64
	// ObjectionDueDays is how many days after filing an objection is due
	// (objections_dispute.go; MINYI_OBJECTION_DUE_DAYS); 0 means 7.
	ObjectionDueDays int
}

// Service is the business layer: every read and write of the HTTP API goes
// through one of its methods.
type Service struct {
	db    *model.DB
	store *store.Store
	// keys are the database's data keys, for the fingerprints and sealed
	// values the service computes itself (model.DB.Keys).
	keys   *fieldcrypt.Keys
	cfg    Config
	clock  Clock
	random io.Reader
	// moderator checks what residents write; nil means pass everything (see SetModerator).
	moderator Moderator
	// metrics counts committed sign-offs (see SetMetrics).
	metrics metricsHolder
	// notifications holds the subscribe-message settings (see SetNotifier).
	notifications notifierHolder
	// weChat checks residents' login and phone codes (resident_wechat.go).
	weChat weChatLogin
	// signOffs gathers concurrent sign-offs into batches (signoff_batches.go).
	signOffs *signOffBatcher
}

// New builds a Service over an open database.
func New(db *model.DB, cfg Config, clock Clock) *Service {
	if clock == nil {
		clock = SystemClock{}
	}
	if cfg.AccessTokenTTL == 0 {
		cfg.AccessTokenTTL = 2 * time.Hour
	}
	if cfg.RefreshTokenTTL == 0 {
		cfg.RefreshTokenTTL = 30 * 24 * time.Hour
	}
	return &Service{db: db, store: store.New(db), keys: db.Keys(), cfg: cfg, clock: clock, random: rand.Reader,
		signOffs: &signOffBatcher{slot: make(chan struct{}, 1)}}
}

// read is the store outside any transaction, for reads.
func (s *Service) read(ctx context.Context) *store.Tx { return s.store.Read(ctx) }

// DB gives the database, for health checks and tools.
func (s *Service) DB() *model.DB { return s.db }

// Now is the service clock's current time, in UTC.
func (s *Service) Now() time.Time { return s.clock.Now().UTC() }

// Channels through which a write reaches the service.
const (
	ChannelOnline = "online"
	ChannelPaper  = "paper"
	ChannelDoor   = "door"
	ChannelProxy  = "proxy"
	ChannelSync   = "sync"
	ChannelAPI    = "api"
)

// Actor is who calls a service method: a staff user or a resident, the role
// they act in, the channel and the request id, so that every write is attributable.
type Actor struct {
	Kind      string // "user" or "resident"
	ID        string
	Role      string // admin, worker, designer or resident
	Name      string
	Channel   string
	RequestID string
	// ClientIP is the caller's address where a limit keys on it (binding codes).
	ClientIP string
	// Idempotency is the request's Idempotency-Key, recorded by its first
	// write transaction (idempotency.go); nil without one.
	Idempotency *IdempotencyClaim
}

// Actor kinds.
const (
	ActorUser     = "user"
	ActorResident = "resident"
	ActorSystem   = "system"
)

// SystemActor is the actor for writes made by the service itself (start-up, demo data).
func SystemActor() Actor {
	return Actor{Kind: ActorSystem, ID: "system", Role: RoleAdmin, Name: "system", Channel: ChannelAPI}
}

// newID returns a new time-ordered UUID (v7) as a string.
func newID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}

// maxTxAttempts bounds the retries of a transaction that lost a race (a
// duplicate key on a concurrent insert, a deadlock).
const maxTxAttempts = 8

// inTx runs fn in one transaction: the single write path, for a write made
// by actor. When the actor's request came with an Idempotency-Key not yet
// recorded, the transaction records it, so that the key is taken exactly
// when the write commits. A transaction that lost a race with a concurrent
// one (model.ErrConflict from a unique index while retry is asked for, or a
// deadlock) is retried from the start.
func (s *Service) inTx(ctx context.Context, actor Actor, fn func(tx *store.Tx) error) error {
	claim := actor.Idempotency
	if claim != nil && claim.recorded {
		claim = nil
	}
	var err error
	for attempt := 1; attempt <= maxTxAttempts; attempt++ {
		err = s.store.Write(ctx, func(tx *store.Tx) error {
			if claim != nil {
				if err := s.recordIdempotencyClaim(tx, claim); err != nil {
					return err
				}
			}
			if err := fn(tx); err != nil {
				return err
			}
			return s.writeQueuedAudits(tx)
		})
		if err == nil && claim != nil {
			claim.recorded = true
		}
		if err == nil || !retryable(err) {
			break
		}
		// Back off a little, with jitter, so that the racers do not collide again.
		select {
		case <-ctx.Done():
			return AsError(ctx.Err())
		case <-time.After(time.Duration(attempt*attempt) * time.Duration(1+mathrand.IntN(3)) * time.Millisecond):
		}
	}
	if err != nil {
		return AsError(err)
	}
	return nil
}

// errRetry asks inTx to run the transaction again (a concurrent insert won).
var errRetry = errors.New("retry transaction")

func retryable(err error) bool {
	var se *Error
	if errors.As(err, &se) {
		return false
	}
	return errors.Is(err, errRetry) || isDeadlock(err)
}

package service

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"

	"minyi/model"
	"minyi/store"
)

// Tokens is what a successful login or refresh returns.
type Tokens struct {
	AccessToken  string
	ExpiresIn    int
	RefreshToken string
	// User is set for staff logins, ResidentID for residents.
	User       *model.User
	ResidentID string
}

type accessClaims struct {
	Kind string `json:"knd"`
	Role string `json:"role"`
	// IssuedAtMs is when the token was issued, in Unix milliseconds (iat
	// has whole seconds only), compared with the account's TokensValidAfter.
	IssuedAtMs int64 `json:"iatm,omitempty"`
	jwt.RegisteredClaims
}

// issuedAt is when the token was issued (from iat for tokens of earlier
// releases, which have no iatm).
func (c *accessClaims) issuedAt() time.Time {
	if c.IssuedAtMs > 0 {
		return time.UnixMilli(c.IssuedAtMs)
	}
	if c.IssuedAt != nil {
		return c.IssuedAt.Time
	}
	return time.Time{}
}

// revokedBefore tells whether a token issued at issued was ended by the
// account's TokensValidAfter.
func revokedBefore(validAfter *time.Time, issued time.Time) bool {
	return validAfter != nil && issued.UnixMilli() < validAfter.UnixMilli()
}

// endAccessTokens ends every access token of the subject issued before now
// (logout, password change, disabling, refresh-token reuse): Authenticate
// compares each token's issue time with tokens_valid_after on the row it
// reads anyway.
func (s *Service) endAccessTokens(tx *store.Tx, kind, subjectID string) error {
	switch kind {
	case ActorUser:
		return tx.EndUserAccessTokens(subjectID, s.Now())
	case ActorResident:
		return tx.EndResidentAccessTokens(subjectID, s.Now())
	}
	return nil
}

// dummyHash makes a login with an unknown username cost as much as one with
// a wrong password, so usernames cannot be discovered by timing.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("minyi-dummy-password"), bcrypt.DefaultCost)

// Login checks a staff username and password and issues tokens.
// Errors: invalid_credentials (also for disabled accounts).
func (s *Service) Login(ctx context.Context, username, password string) (*Tokens, error) {
	username = CanonicalUsername(username)
	user, err := s.read(ctx).UserByUsername(username)
	if err == nil && user.Username != username {
		err = model.ErrNotFound // a collation's match (a legacy spelling), not this name
	}
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
			return nil, Unauthenticated("invalid_credentials")
		}
		return nil, AsError(err)
	}
	if bcrypt.CompareHashAndPassword([]byte(user.PasswordHash), []byte(password)) != nil || user.Disabled {
		return nil, Unauthenticated("invalid_credentials")
	}
	var tokens *Tokens
	err = s.inTx(ctx, Actor{}, func(tx *store.Tx) error {
		var err error
		tokens, err = s.issueTokens(tx, ActorUser, user.ID, user.Role, newID())
		return err
	})
	if err != nil {
		return nil, err
	}
	tokens.User = &user
	return tokens, nil
}

// IssueResidentTokens issues tokens for a resident after the WeChat login.
func (s *Service) IssueResidentTokens(ctx context.Context, residentID string) (*Tokens, error) {
	var tokens *Tokens
	err := s.inTx(ctx, Actor{}, func(tx *store.Tx) error {
		var err error
		tokens, err = s.issueTokens(tx, ActorResident, residentID, RoleResident, newID())
		return err
	})
	if err != nil {
		return nil, err
	}
	tokens.ResidentID = residentID
	return tokens, nil
}

func (s *Service) issueTokens(tx *store.Tx, kind, subjectID, role, familyID string) (*Tokens, error) {
	now := s.Now()
	claims := accessClaims{
		Kind:       kind,
		Role:       role,
		IssuedAtMs: now.UnixMilli(),
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   subjectID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(s.cfg.AccessTokenTTL)),
			Issuer:    "minyi",
		},
	}
	access, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.cfg.JWTSecret)
	if err != nil {
		return nil, fmt.Errorf("sign access token: %w", err)
	}
	refresh, err := s.randomToken(32)
	if err != nil {
		return nil, err
	}
	row := model.RefreshToken{
		ID: newID(), TokenHash: hashToken(refresh), FamilyID: familyID,
		SubjectKind: kind, SubjectID: subjectID,
		ExpiresAt: now.Add(s.cfg.RefreshTokenTTL), CreatedAt: now,
	}
	if err := tx.Insert(&row); err != nil {
		return nil, err
	}
	return &Tokens{AccessToken: access, ExpiresIn: int(s.cfg.AccessTokenTTL / time.Second), RefreshToken: refresh}, nil
}

// Refresh rotates a refresh token: the old one stops working and a new pair
// is issued. Presenting a token that was already rotated revokes its whole
// family (someone copied it). Errors: invalid_refresh_token.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (*Tokens, error) {
	var tokens *Tokens
	var user *model.User
	reused := false
	var reusedKind, reusedSubject string
	err := s.inTx(ctx, Actor{}, func(tx *store.Tx) error {
		row, err := tx.RefreshTokenByHash(hashToken(refreshToken))
		if err != nil {
			return notFoundAs(err, "invalid_refresh_token")
		}
		now := s.Now()
		if row.RevokedAt != nil || now.After(row.ExpiresAt) {
			return Unauthenticated("invalid_refresh_token")
		}
		claimed, err := tx.ClaimRefreshToken(row.ID, now)
		if err != nil {
			return err
		}
		if !claimed {
			reused = true
			reusedKind, reusedSubject = row.SubjectKind, row.SubjectID
			return tx.RevokeRefreshTokenFamily(row.FamilyID, now)
		}
		role := RoleResident
		if row.SubjectKind == ActorUser {
			u, err := store.ByID[model.User](tx, row.SubjectID)
			if err != nil {
				return notFoundAs(err, "invalid_refresh_token")
			}
			if u.Disabled {
				return Unauthenticated("invalid_refresh_token")
			}
			role, user = u.Role, &u
		}
		tokens, err = s.issueTokens(tx, row.SubjectKind, row.SubjectID, role, row.FamilyID)
		if err == nil && row.SubjectKind == ActorResident {
			tokens.ResidentID = row.SubjectID
		}
		return err
	})
	if err != nil {
		if se := AsError(err); se.Kind == KindNotFound {
			return nil, Unauthenticated("invalid_refresh_token")
		}
		return nil, err
	}
	if reused {
		// Outside the transaction: the users and residents tables are
		// written only with an audit event inside one, and this is no event.
		if err := s.endAccessTokens(s.read(ctx), reusedKind, reusedSubject); err != nil {
			return nil, AsError(err)
		}
		return nil, Unauthenticated("refresh_token_reused")
	}
	tokens.User = user
	return tokens, nil
}

// Logout revokes the family of a refresh token and ends the access tokens
// its subject holds (on every device: the others refresh theirs). Unknown
// tokens are ignored.
func (s *Service) Logout(ctx context.Context, refreshToken string) error {
	var kind, subject string
	err := s.inTx(ctx, Actor{}, func(tx *store.Tx) error {
		row, err := tx.RefreshTokenByHash(hashToken(refreshToken))
		if err != nil {
			if errors.Is(err, model.ErrNotFound) {
				return nil
			}
			return err
		}
		kind, subject = row.SubjectKind, row.SubjectID
		return tx.RevokeRefreshTokenFamily(row.FamilyID, s.Now())
	})
	if err != nil || subject == "" {
		return err
	}
	// Outside the transaction, as in Refresh.
	return s.endAccessTokens(s.read(ctx), kind, subject)
}

// Authenticate checks an access token and returns the caller as an Actor.
// The account is read from the database, so a disabled user or a changed
// role takes effect at once, and a token issued before the account's
// tokens_valid_after is refused. Errors: invalid_token, token_expired,
// account_disabled, token_revoked.
func (s *Service) Authenticate(ctx context.Context, token string) (Actor, error) {
	var claims accessClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return s.cfg.JWTSecret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithTimeFunc(s.Now), jwt.WithIssuer("minyi"), jwt.WithExpirationRequired())
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return Actor{}, Unauthenticated("token_expired")
		}
		return Actor{}, Unauthenticated("invalid_token")
	}
	switch claims.Kind {
	case ActorUser:
		u, err := store.ByID[model.User](s.read(ctx), claims.Subject)
		if err != nil {
			if errors.Is(err, model.ErrNotFound) {
				return Actor{}, Unauthenticated("invalid_token")
			}
			return Actor{}, AsError(err)
		}
		if u.Disabled {
			return Actor{}, Unauthenticated("account_disabled")
		}
		if revokedBefore(u.TokensValidAfter, claims.issuedAt()) {
			return Actor{}, Unauthenticated("token_revoked")
		}
		return Actor{Kind: ActorUser, ID: u.ID, Role: u.Role, Name: u.DisplayName}, nil
	case ActorResident:
		r, found, err := s.read(ctx).ResidentTokenStatus(claims.Subject)
		if err != nil {
			return Actor{}, AsError(err)
		}
		if !found || r.Disabled {
			return Actor{}, Unauthenticated("invalid_token")
		}
		if revokedBefore(r.TokensValidAfter, claims.issuedAt()) {
			return Actor{}, Unauthenticated("token_revoked")
		}
		return Actor{Kind: ActorResident, ID: claims.Subject, Role: RoleResident}, nil
	}
	return Actor{}, Unauthenticated("invalid_token")
}

func (s *Service) randomToken(n int) (string, error) {
	buf := make([]byte, n)
	if _, err := io.ReadFull(s.random, buf); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(buf), nil
}

// hashToken is how secrets handed to clients (refresh tokens, binding codes)
// are stored: SHA-256, hex.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

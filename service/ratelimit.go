package service

import (
	"context"
	"errors"
	"time"

	"minyi/model"
	"minyi/store"
)

// The login limits. Every failed staff login is counted three ways, by the
// canonical username (CanonicalUsername) and the client's address together,
// by the address alone and by the account alone, in the database, so the
// limits hold across instances:
//
//   - a pair (account, address) gets LoginFailureLimit failures within
//     LoginFailureWindow; further tries from that address wait until the
//     oldest failure leaves the window;
//   - an address gets LoginAddressLimit failures within LoginFailureWindow,
//     whatever usernames it tries;
//   - an account failing from any addresses backs off exponentially: after
//     LoginAccountFreeFailures failures within LoginAccountWindow each
//     further try waits 2^(n-LoginAccountFreeFailures) seconds after the
//     latest failure, at most LoginAccountMaxBackoff. It is never a lock:
//     the back-off does not apply from an address the account logged in
//     from within LoginAddressMemory, so guesses from elsewhere cannot keep
//     a worker out, and from other addresses the right password works once
//     the back-off has passed.
const (
	LoginFailureLimit        = 10
	LoginFailureWindow       = 10 * time.Minute
	LoginAddressLimit        = 50
	LoginAccountFreeFailures = 10
	LoginAccountWindow       = time.Hour
	LoginAccountMaxBackoff   = 15 * time.Minute
	LoginAddressMemory       = 30 * 24 * time.Hour
)

// loginKeys are the three keys a login attempt is counted under.
type loginKeys struct{ pair, account, address string }

func (s *Service) keysOf(username, clientIP string) loginKeys {
	account := CanonicalUsername(username)
	return loginKeys{
		pair:    s.loginFailureKey(account, clientIP),
		account: s.keys.Fingerprint("account\x00" + account),
		address: s.keys.Fingerprint("address\x00" + clientIP),
	}
}

// LoginFrom is Login guarded against password guessing: it refuses with 429
// too_many_login_attempts (and the seconds to wait) while one of the login
// limits above holds, keeps each invalid_credentials failure, and forgets
// the failures of the pair on success. Errors: those of Login,
// too_many_login_attempts. The console reuses it for its own login form.
//
// Each attempt is written as a failure before the password is checked and
// only then counted, so that a burst of concurrent guesses cannot all pass
// the count before any of them is recorded: at most LoginFailureLimit
// passwords are ever checked per pair and window. A refused attempt removes
// its row again, so hammering does not push the window forward.
func (s *Service) LoginFrom(ctx context.Context, username, password, clientIP string) (*Tokens, error) {
	keys := s.keysOf(username, clientIP)
	attempt, err := s.reserveLoginAttempt(ctx, keys)
	if err != nil {
		return nil, err
	}
	tx := s.read(ctx)
	if wait, err := s.loginWait(ctx, keys, attempt.ID); err != nil || wait > 0 {
		tx.DeleteLoginAttempt(attempt)
		if err != nil {
			return nil, err
		}
		return nil, RateLimited("too_many_login_attempts", int((wait+time.Second-1)/time.Second))
	}
	tokens, err := s.Login(ctx, username, password)
	var se *Error
	switch {
	case err == nil:
		if derr := tx.ForgetLoginFailuresOfPair(keys.pair); derr != nil {
			return nil, AsError(derr)
		}
		known := model.LoginAddress{PairHash: keys.pair, LastSuccessAt: s.Now()}
		if derr := tx.RememberLoginAddress(&known); derr != nil {
			return nil, AsError(derr)
		}
		// Forget addresses unused for LoginAddressMemory (best effort: a
		// failure here only leaves rows for the next login to remove).
		tx.ForgetLoginAddressesBefore(s.Now().Add(-LoginAddressMemory))
		return tokens, nil
	case errors.As(err, &se) && se.Code == "invalid_credentials":
		// The reserved row stays: it is this failure.
	default:
		tx.DeleteLoginAttempt(attempt) // not the caller's failure (e.g. the database)
	}
	return nil, err
}

// reserveLoginAttempt writes the attempt as a failure and drops the failures
// that have left every window, so the table stays small. These rows are
// counters, not records of the consultation: they are written outside inTx
// and its audit ledger, and need no transaction.
func (s *Service) reserveLoginAttempt(ctx context.Context, keys loginKeys) (*model.LoginFailure, error) {
	now := s.Now()
	tx := s.read(ctx)
	// Expired rows are found by a plain read and deleted by primary key: a
	// ranged DELETE would take gap locks on MySQL that deadlock with the
	// concurrent inserts of a burst.
	expired, err := tx.ExpiredLoginFailureIDs(keys.pair, now.Add(-LoginAccountWindow), 500)
	if err != nil {
		return nil, AsError(err)
	}
	if len(expired) > 0 {
		if err := tx.DeleteLoginFailures(expired); err != nil && !isDeadlock(err) {
			return nil, AsError(err)
		}
	}
	attempt := &model.LoginFailure{ID: newID(), PairHash: keys.pair, AccountHash: keys.account, AddressHash: keys.address, FailedAt: now}
	if err := tx.Insert(attempt); err != nil {
		return nil, AsError(err)
	}
	return attempt, nil
}

// loginWait is how long this attempt must wait before it may go ahead (0:
// go ahead): the longest wait of the three limits, counted from the
// failures other than the attempt's own row.
func (s *Service) loginWait(ctx context.Context, keys loginKeys, attemptID string) (time.Duration, error) {
	now := s.Now()
	tx := s.read(ctx)
	var wait time.Duration
	for _, limit := range []struct {
		by  store.LoginFailureKey
		key string
		n   int
	}{{store.LoginFailurePair, keys.pair, LoginFailureLimit}, {store.LoginFailureAddress, keys.address, LoginAddressLimit}} {
		recent, err := recentFailures(tx, limit.by, limit.key, attemptID, now.Add(-LoginFailureWindow), limit.n)
		if err != nil {
			return 0, err
		}
		if len(recent) == limit.n {
			// Wait until the oldest of the last n failures leaves the window.
			wait = max(wait, recent[len(recent)-1].Add(LoginFailureWindow).Sub(now), time.Second)
		}
	}
	n, err := tx.CountLoginFailuresOfAccount(keys.account, now.Add(-LoginAccountWindow), attemptID)
	if err != nil {
		return 0, AsError(err)
	}
	if n >= LoginAccountFreeFailures {
		known, err := tx.LoginAddressKnown(keys.pair, now.Add(-LoginAddressMemory))
		if err != nil {
			return 0, AsError(err)
		}
		if known {
			return wait, nil
		}
		latest, err := recentFailures(tx, store.LoginFailureAccount, keys.account, attemptID, now.Add(-LoginAccountWindow), 1)
		if err != nil {
			return 0, err
		}
		if until := latest[0].Add(accountBackoff(int(n))); until.After(now) {
			wait = max(wait, until.Sub(now), time.Second)
		}
	}
	return wait, nil
}

// accountBackoff is how long an account with n recent failures waits after
// its latest failure: 1 s at LoginAccountFreeFailures, doubling with each
// further failure, at most LoginAccountMaxBackoff.
func accountBackoff(n int) time.Duration {
	shift := n - LoginAccountFreeFailures
	if shift >= 20 {
		return LoginAccountMaxBackoff
	}
	return min(time.Second<<shift, LoginAccountMaxBackoff)
}

// recentFailures are the times of the latest (at most n) failures under a
// key since a time, newest first, leaving out the attempt's own row.
func recentFailures(tx *store.Tx, by store.LoginFailureKey, key, attemptID string, since time.Time, n int) ([]time.Time, error) {
	recent, err := tx.RecentLoginFailures(by, key, since, attemptID, n)
	if err != nil {
		return nil, AsError(err)
	}
	return recent, nil
}

// loginFailureKey identifies a (username, client address) pair without
// storing the username, which may be a mistyped password: a keyed hash, so
// that a reader of the table cannot recover it by trying likely names.
func (s *Service) loginFailureKey(username, clientIP string) string {
	return s.keys.Fingerprint(username + "\x00" + clientIP)
}

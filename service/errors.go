package service

import (
	"errors"
	"fmt"

	"minyi/model"
)

// Kind classifies a service error; the api package maps each kind to one
// HTTP status.
type Kind int

// The kinds of service errors.
const (
	KindInternal Kind = iota
	KindInvalid
	KindUnauthenticated
	KindForbidden
	KindNotFound
	KindConflict
	KindRateLimited
	KindUnavailable
)

// Error is the one error type the service returns to its callers: a kind, a
// machine code such as "round_not_open", optional per-field reasons and an
// optional English detail for logs and messages.
type Error struct {
	Kind   Kind
	Code   string
	Fields map[string]string
	Detail string
	// RetryAfterSeconds is set on rate-limited and unavailable errors when
	// the caller should wait before trying again.
	RetryAfterSeconds int
	// Extra carries structured details a client needs (e.g. the ids of
	// unanswered objections); it is rendered inside the error envelope.
	Extra map[string]any
	cause error
}

func (e *Error) Error() string {
	if e.Detail != "" {
		return e.Code + ": " + e.Detail
	}
	return e.Code
}

// Unwrap gives the underlying error, if any.
func (e *Error) Unwrap() error { return e.cause }

// Invalid reports well-formed input with values the service does not accept.
func Invalid(code string, fields map[string]string) *Error {
	return &Error{Kind: KindInvalid, Code: code, Fields: fields}
}

// InvalidField reports one invalid field with its reason.
func InvalidField(field, reason string) *Error {
	return &Error{Kind: KindInvalid, Code: "validation_failed", Fields: map[string]string{field: reason}}
}

// NotFound reports an object that does not exist or that the caller may not see.
func NotFound(code string) *Error { return &Error{Kind: KindNotFound, Code: code} }

// Conflict reports a request that clashes with the current state.
func Conflict(code, detail string) *Error {
	return &Error{Kind: KindConflict, Code: code, Detail: detail}
}

// Forbidden reports an authenticated caller without the right to act.
func Forbidden(code string) *Error { return &Error{Kind: KindForbidden, Code: code} }

// Unauthenticated reports a missing, invalid or expired credential.
func Unauthenticated(code string) *Error { return &Error{Kind: KindUnauthenticated, Code: code} }

// RateLimited reports a caller that must slow down.
func RateLimited(code string, retryAfterSeconds int) *Error {
	return &Error{Kind: KindRateLimited, Code: code, RetryAfterSeconds: retryAfterSeconds}
}

// Unavailable reports a dependency (database, WeChat) that cannot answer now.
func Unavailable(code string, cause error) *Error {
	return &Error{Kind: KindUnavailable, Code: code, RetryAfterSeconds: 2, cause: cause}
}

// AsError returns err as a service *Error, translating database errors: a
// missing row becomes not found, a duplicate key a conflict, an unreachable
// database unavailable. Other errors become internal errors.
func AsError(err error) *Error {
	var se *Error
	if errors.As(err, &se) {
		return se
	}
	err = model.Translate(err)
	switch {
	case errors.Is(err, model.ErrUnavailable):
		return Unavailable("database_unavailable", err)
	case errors.Is(err, model.ErrNotFound):
		return &Error{Kind: KindNotFound, Code: "not_found", cause: err}
	case errors.Is(err, model.ErrConflict):
		return &Error{Kind: KindConflict, Code: "conflict", cause: err}
	}
	return &Error{Kind: KindInternal, Code: "internal_error", Detail: fmt.Sprint(err), cause: err}
}

package model

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"
	"strings"
	"syscall"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
)

// Errors the rest of the service can test for with errors.Is; driver errors
// are translated into them in one place, Translate.
var (
	ErrNotFound    = errors.New("record not found")
	ErrConflict    = errors.New("duplicate key")
	ErrUnavailable = errors.New("database unavailable")
)

// Translate turns driver and GORM errors into ErrNotFound, ErrConflict or
// ErrUnavailable (wrapping the original), and passes others through.
func Translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) || errors.Is(err, ErrUnavailable) {
		return err
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return wrap(ErrNotFound, err)
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return wrap(ErrConflict, err)
	}
	var myErr *mysqldriver.MySQLError
	if errors.As(err, &myErr) {
		switch myErr.Number {
		case 1062:
			return wrap(ErrConflict, err)
		case 1205, 1213: // lock wait timeout, deadlock: the caller may retry
			return wrap(ErrUnavailable, err)
		}
	}
	msg := err.Error()
	if strings.Contains(msg, "UNIQUE constraint failed") {
		return wrap(ErrConflict, err)
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, mysqldriver.ErrInvalidConn) || errors.Is(err, context.DeadlineExceeded) ||
		strings.Contains(msg, "connection refused") || strings.Contains(msg, "database is locked") {
		return wrap(ErrUnavailable, err)
	}
	return err
}

type translated struct {
	kind  error
	cause error
}

func (t translated) Error() string { return t.kind.Error() + ": " + t.cause.Error() }
func (t translated) Unwrap() []error {
	return []error{t.kind, t.cause}
}

func wrap(kind, cause error) error { return translated{kind: kind, cause: cause} }

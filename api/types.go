package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// shanghai is the fixed +08:00 zone every time is written in.
var shanghai = time.FixedZone("CST", 8*3600)

// Time is a time written as RFC 3339 with +08:00.
type Time time.Time

// MarshalJSON writes the time in Asia/Shanghai.
func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).In(shanghai).Format(time.RFC3339) + `"`), nil
}

// UnmarshalJSON reads an RFC 3339 time with any offset.
func (t *Time) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &fieldError{"time", "must be an RFC 3339 time"}
	}
	parsed, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return &fieldError{"time", "must be an RFC 3339 time such as 2026-12-01T18:00:00+08:00"}
	}
	*t = Time(parsed.UTC())
	return nil
}

func timePtr(t *time.Time) *Time {
	if t == nil {
		return nil
	}
	v := Time(*t)
	return &v
}

// Area is an area in m² kept as integer hundredths; in JSON it is a number
// with at most two decimals.
type Area int64

// MarshalJSON writes the area as a decimal number without trailing zeros.
func (a Area) MarshalJSON() ([]byte, error) { return []byte(formatArea(int64(a))), nil }

func formatArea(h int64) string {
	sign := ""
	if h < 0 {
		sign, h = "-", -h
	}
	s := fmt.Sprintf("%s%d.%02d", sign, h/100, h%100)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// UnmarshalJSON reads a JSON number with at most two decimals, exactly.
func (a *Area) UnmarshalJSON(b []byte) error {
	h, err := parseArea(string(bytes.TrimSpace(b)))
	if err != nil {
		return &fieldError{"area_m2", err.Error()}
	}
	*a = Area(h)
	return nil
}

// parseArea turns "81.25" into 8125 without floating point.
func parseArea(s string) (int64, error) {
	bad := fmt.Errorf("must be a number of m² with at most 2 decimals")
	if s == "" || s[0] == '"' || s[0] == '-' || strings.ContainsAny(s, "eE+") {
		return 0, bad
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if hasFrac && (len(frac) == 0 || len(frac) > 2) || len(whole) == 0 || len(whole) > 9 {
		return 0, bad
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, bad
	}
	for len(frac) < 2 {
		frac += "0"
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, bad
	}
	return w*100 + f, nil
}

// listResponse is the contract's list shape.
type listResponse[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"
)

// encodeTally writes a tally's JSON byte for byte as json.Marshal does, but
// writes the per-building breakdown itself: a round may span a thousand
// buildings, and encoding/json would spend more on their entries (by
// reflection, or compacting a Marshaler's output) than the rest of the
// request costs.
func encodeTally(t tallyJSON) ([]byte, error) {
	buildings := t.ByBuilding
	t.ByBuilding = nil
	rest, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	// The key is the only place the marker can occur: a quote inside a
	// string is always escaped, and the fields before it have no such key.
	marker := []byte(`"by_building":null`)
	at := bytes.Index(rest, marker)
	if at < 0 {
		return nil, errors.New("tally JSON without by_building")
	}
	out := make([]byte, 0, len(rest)+2+len(buildings)*96)
	out = append(out, rest[:at+len(`"by_building":`)]...)
	if out, err = appendBuildings(out, buildings); err != nil {
		return nil, err
	}
	return append(out, rest[at+len(marker):]...), nil
}

// appendBuildings appends the entries as json.Marshal writes []buildingJSON.
func appendBuildings(out []byte, buildings []buildingJSON) ([]byte, error) {
	if buildings == nil {
		return append(out, "null"...), nil
	}
	out = append(out, '[')
	for i, b := range buildings {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, `{"building":`...)
		var err error
		if out, err = appendJSONString(out, b.Building); err != nil {
			return nil, err
		}
		out = append(out, `,"electorate":`...)
		out = strconv.AppendInt(out, b.Electorate, 10)
		out = append(out, `,"participated":`...)
		out = strconv.AppendInt(out, b.Participated, 10)
		out = append(out, `,"agree":`...)
		out = strconv.AppendInt(out, b.Agree, 10)
		out = append(out, `,"disagree":`...)
		out = strconv.AppendInt(out, b.Disagree, 10)
		out = append(out, `,"abstain":`...)
		out = strconv.AppendInt(out, b.Abstain, 10)
		out = append(out, '}')
	}
	return append(out, ']'), nil
}

// appendJSONString appends s as json.Marshal writes a string: as it is when
// it needs no escaping (valid UTF-8 without quotes, backslashes, control
// characters, <, >, &, U+2028 or U+2029), else through json.Marshal.
func appendJSONString(out []byte, s string) ([]byte, error) {
	plain := utf8.ValidString(s)
	for _, r := range s {
		if !plain {
			break
		}
		plain = r >= 0x20 && r != '"' && r != '\\' && r != '<' && r != '>' && r != '&' && r != '\u2028' && r != '\u2029'
	}
	if plain {
		out = append(out, '"')
		out = append(out, s...)
		return append(out, '"'), nil
	}
	quoted, err := json.Marshal(s)
	return append(out, quoted...), err
}

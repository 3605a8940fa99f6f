package store

import "testing"

// TestCounterValueScan: the sums come as integers (SQLite) or as MySQL's
// decimal text; anything that is not a whole number is an error, not a zero.
func TestCounterValueScan(t *testing.T) {
	for _, tt := range []struct {
		src  any
		want int64
		ok   bool
	}{
		{int64(42), 42, true},
		{[]byte("0"), 0, true},
		{[]byte("1234567"), 1234567, true},
		{[]byte("-15"), -15, true},
		{[]byte("9223372036854775807"), 9223372036854775807, true},
		{[]byte("9223372036854775808"), 0, false},
		{[]byte("12.50"), 0, false},
		{[]byte(""), 0, false},
		{[]byte("-"), 0, false},
		{"77", 77, true},
		{nil, 0, false},
		{1.5, 0, false},
	} {
		var v counterValue
		err := v.Scan(tt.src)
		if (err == nil) != tt.ok || (tt.ok && int64(v) != tt.want) {
			t.Errorf("Scan(%#v) = %d, %v; want %d, ok %v", tt.src, v, err, tt.want, tt.ok)
		}
	}
}

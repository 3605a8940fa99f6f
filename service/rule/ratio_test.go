package rule

import (
	"strings"
	"testing"
)

func TestParseRatio(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Ratio
		text string // canonical String()
	}{
		{"whole_percent", "80%", Ratio{80, 100}, "80%"},
		{"two_decimal_percent", "66.67%", Ratio{6667, 10000}, "66.67%"},
		{"trailing_zeros_are_dropped", "80.50%", Ratio{805, 1000}, "80.5%"},
		{"leading_zeros_are_dropped", "080%", Ratio{80, 100}, "80%"},
		{"hundred_percent", "100%", Ratio{100, 100}, "100%"},
		{"hundred_point_zero_percent", "100.00%", Ratio{100, 100}, "100%"},
		{"small_percent", "0.5%", Ratio{5, 1000}, "0.5%"},
		{"four_decimals", "66.6667%", Ratio{666667, 1000000}, "66.6667%"},
		{"fraction", "2/3", Ratio{2, 3}, "2/3"},
		{"fraction_is_reduced", "4/6", Ratio{2, 3}, "2/3"},
		{"fraction_one", "1/1", Ratio{1, 1}, "1/1"},
		{"fraction_over_hundred_reads_as_percent", "7/100", Ratio{7, 100}, "7%"},
		{"surrounding_spaces", " 3/4 ", Ratio{3, 4}, "3/4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRatio(tt.in)
			if err != nil {
				t.Fatalf("ParseRatio(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseRatio(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if got.String() != tt.text {
				t.Errorf("String() = %q, want %q", got.String(), tt.text)
			}
			back, err := ParseRatio(got.String())
			if err != nil || back != got {
				t.Errorf("ParseRatio(String()) = %+v, %v; want %+v", back, err, got)
			}
		})
	}
}

func TestParseRatioErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		reason string // a fragment of the error text
	}{
		{"zero_percent", "0%", "greater than 0"},
		{"zero_fraction", "0/5", "greater than 0"},
		{"over_hundred_percent", "101%", "at most 1"},
		{"just_over_hundred_percent", "100.01%", "at most 1"},
		{"huge_percent", "123456%", "at most 1"},
		{"fraction_over_one", "3/2", "at most 1"},
		{"zero_denominator", "1/0", "denominator must not be 0"},
		{"zero_over_zero", "0/0", "denominator must not be 0"},
		{"words", "abc", "must look like"},
		{"empty", "", "must look like"},
		{"bare_number", "80", "must look like"},
		{"decimal_fraction", "0.8", "must look like"},
		{"negative_percent", "-80%", "must look like"},
		{"negative_fraction", "-1/2", "must look like"},
		{"point_without_digits", "80.%", "must look like"},
		{"two_slashes", "1/2/3", "must look like"},
		{"too_many_decimals", "66.66667%", "four decimal places"},
		{"denominator_too_large", "1/1000001", "at most 1000000"},
		{"overflowing_digits", "1/99999999999999999999", "must look like"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRatio(tt.in)
			if err == nil {
				t.Fatalf("ParseRatio(%q) = %+v, want an error", tt.in, got)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("ParseRatio(%q) error %q, want it to mention %q", tt.in, err, tt.reason)
			}
		})
	}
}

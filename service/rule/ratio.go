package rule

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxRatioDen is the largest denominator a parsed ratio may have, so "66.6667%" is the finest percentage.
const MaxRatioDen = 1_000_000

// Ratio is a threshold Num/Den with 0 < Num <= Den, kept as integers so comparisons never round.
type Ratio struct{ Num, Den int64 }

// ParseRatio reads a threshold written as a percentage ("80%") or a fraction ("2/3").
//
// A percentage keeps its decimal denominator (80% is 80/100, 66.67% is 6667/10000,
// trailing zeros dropped); a fraction is reduced to lowest terms. The ratio must be
// greater than 0 and at most 1.
func ParseRatio(s string) (Ratio, error) {
	text := strings.TrimSpace(s)
	var (
		r   Ratio
		err error
	)
	switch {
	case strings.HasSuffix(text, "%"):
		r, err = parsePercent(strings.TrimSuffix(text, "%"))
	case strings.Contains(text, "/"):
		r, err = parseFraction(text)
	default:
		err = errRatioSyntax
	}
	if err != nil {
		if errors.Is(err, errRatioSyntax) {
			return Ratio{}, fmt.Errorf("ratio %q must look like 80%% or 2/3 (write two thirds as 2/3)", s)
		}
		return Ratio{}, fmt.Errorf("ratio %q: %w", s, err)
	}
	switch {
	case r.Num == 0:
		return Ratio{}, fmt.Errorf("ratio %q must be greater than 0", s)
	case r.Num > r.Den:
		return Ratio{}, fmt.Errorf("ratio %q must be at most 1 (100%%)", s)
	}
	return r, nil
}

var errRatioSyntax = errors.New("ratio syntax")

// parsePercent reads the number before "%": digits, optionally "." and at most four digits.
func parsePercent(number string) (Ratio, error) {
	whole, frac, hasPoint := strings.Cut(number, ".")
	if !isDigits(whole) || (hasPoint && !isDigits(frac)) {
		return Ratio{}, errRatioSyntax
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > 4 {
		return Ratio{}, errors.New("at most four decimal places are allowed")
	}
	if whole = strings.TrimLeft(whole, "0"); len(whole) > 3 {
		return Ratio{}, errors.New("must be at most 1 (100%)")
	}
	digits := whole + frac
	if digits == "" {
		digits = "0"
	}
	num, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return Ratio{}, errRatioSyntax
	}
	den := int64(100)
	for range len(frac) {
		den *= 10
	}
	return Ratio{Num: num, Den: den}, nil
}

// parseFraction reads "p/q" with decimal digits on both sides and reduces it.
func parseFraction(text string) (Ratio, error) {
	p, q, _ := strings.Cut(text, "/")
	if !isDigits(p) || !isDigits(q) || len(p) > 18 || len(q) > 18 {
		return Ratio{}, errRatioSyntax
	}
	num, err1 := strconv.ParseInt(p, 10, 64)
	den, err2 := strconv.ParseInt(q, 10, 64)
	if err1 != nil || err2 != nil {
		return Ratio{}, errRatioSyntax
	}
	if den == 0 {
		return Ratio{}, errors.New("the denominator must not be 0")
	}
	if num != 0 {
		g := gcd(num, den)
		num, den = num/g, den/g
	}
	if den > MaxRatioDen {
		return Ratio{}, fmt.Errorf("the denominator must be at most %d", MaxRatioDen)
	}
	return Ratio{Num: num, Den: den}, nil
}

// String gives the canonical text: a percentage when the denominator is 100, 1000, ... and "p/q" otherwise.
func (r Ratio) String() string {
	num, decimals, ok := r.percentDigits()
	if !ok {
		return fmt.Sprintf("%d/%d", r.Num, r.Den)
	}
	digits := strconv.FormatInt(num, 10)
	if decimals == 0 {
		return digits + "%"
	}
	if len(digits) <= decimals {
		digits = strings.Repeat("0", decimals-len(digits)+1) + digits
	}
	cut := len(digits) - decimals
	return digits[:cut] + "." + digits[cut:] + "%"
}

// percentDigits writes r as num / 10^decimals percent, trailing zeros dropped, when Den is 100·10^d.
func (r Ratio) percentDigits() (num int64, decimals int, ok bool) {
	if r.Num < 0 || r.Den < 100 {
		return 0, 0, false
	}
	den := r.Den
	for den%10 == 0 && den > 100 {
		den /= 10
		decimals++
	}
	if den != 100 {
		return 0, 0, false
	}
	num = r.Num
	for decimals > 0 && num%10 == 0 {
		num /= 10
		decimals--
	}
	return num, decimals, true
}

// valid reports whether 0 < r <= 1; checks with any other ratio never pass.
func (r Ratio) valid() bool {
	return r.Num > 0 && r.Den > 0 && r.Num <= r.Den
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

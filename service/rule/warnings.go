package rule

import (
	"fmt"
	"math/big"
)

// commonFraction is a simple fraction that people often mean when they type a rounded percentage.
type commonFraction struct {
	ratio   Ratio
	chinese string // how the fraction is said, e.g. "三分之二"
}

var commonFractions = []commonFraction{
	{Ratio{1, 3}, "三分之一"},
	{Ratio{1, 2}, "二分之一"},
	{Ratio{2, 3}, "三分之二"},
	{Ratio{3, 4}, "四分之三"},
	{Ratio{4, 5}, "五分之四"},
}

// nearFractionTolerance is 0.01 percentage points, as a fraction of 1.
var nearFractionTolerance = big.NewRat(1, 10000)

// Warnings lists, in Chinese, the thresholds that look like a common fraction but are not it:
// a percentage within 0.01 percentage points of 1/3, 1/2, 2/3, 3/4 or 4/5 and not equal to it.
// "66.67%" gets a warning (it is 6667/10000, and 10 of 15 does not reach it); "2/3" and "80%" do not.
func (r Rule) Warnings() []string {
	var warnings []string
	for _, c := range r.Checks {
		if f, ok := nearCommonFraction(c.Ratio); ok {
			warnings = append(warnings, fmt.Sprintf(
				"检查项 %s 的比例 %s 不等于 %s（%s）：%d 户中 %d 户恰为%s，却%s %s。如要求%s，请写作 %s。",
				c.Name, c.Ratio, f.ratio, f.chinese, 5*f.ratio.Den, 5*f.ratio.Num, f.chinese,
				reachesWord(f.ratio, c.Ratio), c.Ratio, f.chinese, f.ratio))
		}
	}
	return warnings
}

// reachesWord says whether exactly the fraction f reaches the threshold t.
func reachesWord(f, t Ratio) string {
	if big.NewRat(f.Num, f.Den).Cmp(big.NewRat(t.Num, t.Den)) >= 0 {
		return "达到"
	}
	return "达不到"
}

// nearCommonFraction finds the common fraction within the tolerance of r that r is not equal to.
func nearCommonFraction(r Ratio) (commonFraction, bool) {
	if !r.valid() {
		return commonFraction{}, false
	}
	given := big.NewRat(r.Num, r.Den)
	for _, f := range commonFractions {
		diff := new(big.Rat).Sub(given, big.NewRat(f.ratio.Num, f.ratio.Den))
		if diff.Sign() != 0 && diff.Abs(diff).Cmp(nearFractionTolerance) <= 0 {
			return f, true
		}
	}
	return commonFraction{}, false
}

package rule

import (
	"cmp"
	"slices"
)

// Shortfall is how many not-yet-responding households must still agree for every check to pass.
//
// Possible is false when even all of them agreeing is not enough: then only
// changed minds can pass the plan. AgreeHouseholdsNeeded is 0 when the rule
// already passes or when it is not possible.
type Shortfall struct {
	AgreeHouseholdsNeeded int64
	Possible              bool
}

// ComputeShortfall finds the smallest k such that k more agreeing households make r pass on c.
//
// The candidates are the E−P households that have not responded. When r counts
// area, remainingAreasDesc holds their areas, largest first, and its length is
// taken as their number (an unsorted slice is sorted on a copy; negative areas
// count as 0); otherwise it may be nil and E−P is used.
//
// If k households agree, Participated and Agree both grow by k households and by
// their area. Every valid check is then non-decreasing in k and in the added area
// (value·Den − Num·base changes by k·(Den−Num) ≥ 0 or by k·Den), so the best k
// households are the k largest, and "top k pass" is monotone in k: a binary search
// over k on prefix sums gives the same answer as trying every k in turn.
func ComputeShortfall(r Rule, c Counts, remainingAreasDesc []int64) Shortfall {
	if passesAll(r, c) {
		return Shortfall{AgreeHouseholdsNeeded: 0, Possible: true}
	}
	remaining := max(c.Electorate.Households-c.Participated.Households, 0)
	var topArea []int64 // topArea[k] is the total area of the k largest remaining households
	if r.UsesArea() {
		topArea = prefixSums(remainingAreasDesc)
		remaining = int64(len(remainingAreasDesc))
	}
	with := func(k int64) Counts {
		added := Amount{Households: k}
		if topArea != nil {
			added.AreaHundredths = topArea[k]
		}
		return Counts{
			Electorate:   c.Electorate,
			Participated: add(c.Participated, added),
			Agree:        add(c.Agree, added),
		}
	}
	if !passesAll(r, with(remaining)) {
		return Shortfall{AgreeHouseholdsNeeded: 0, Possible: false}
	}
	failing, passing := int64(0), remaining // fails at failing, passes at passing
	for passing-failing > 1 {
		mid := failing + (passing-failing)/2
		if passesAll(r, with(mid)) {
			passing = mid
		} else {
			failing = mid
		}
	}
	return Shortfall{AgreeHouseholdsNeeded: passing, Possible: true}
}

// prefixSums returns sums of the k largest areas for k = 0..len(areas), negative areas counting as 0.
func prefixSums(areas []int64) []int64 {
	if !slices.IsSortedFunc(areas, descending) {
		areas = slices.SortedFunc(slices.Values(areas), descending)
	}
	sums := make([]int64, len(areas)+1)
	for i, a := range areas {
		sums[i+1] = sums[i] + max(a, 0)
	}
	return sums
}

func descending(a, b int64) int { return cmp.Compare(b, a) }

func add(a, b Amount) Amount {
	return Amount{Households: a.Households + b.Households, AreaHundredths: a.AreaHundredths + b.AreaHundredths}
}

// ChangesNeeded finds, for a rule that new agreements alone cannot pass, the smallest
// number k of households that now disagree or abstain who would have to change to agree,
// with every household that has not responded agreeing too. ok is false when even all of
// them changing cannot pass r.
//
// remainingAreasDesc are the areas of the households that have not responded and
// opposedAreasDesc those of the households that disagree or abstain (both used, and their
// lengths taken as the numbers, only when r counts area; otherwise they may be nil and
// E−P and P−A are used). A change moves a household from participating to agreeing: every
// valid check is non-decreasing in the agreeing households and area, so the k largest
// opposed households are the best k, and "top k pass" is monotone in k (binary search).
func ChangesNeeded(r Rule, c Counts, remainingAreasDesc, opposedAreasDesc []int64) (k int64, ok bool) {
	remaining := Amount{Households: max(c.Electorate.Households-c.Participated.Households, 0)}
	opposed := max(c.Participated.Households-c.Agree.Households, 0)
	var topOpposed []int64
	if r.UsesArea() {
		remaining = Amount{Households: int64(len(remainingAreasDesc)), AreaHundredths: prefixSums(remainingAreasDesc)[len(remainingAreasDesc)]}
		topOpposed = prefixSums(opposedAreasDesc)
		opposed = int64(len(opposedAreasDesc))
	}
	with := func(k int64) Counts {
		changed := Amount{Households: k}
		if topOpposed != nil {
			changed.AreaHundredths = topOpposed[k]
		}
		return Counts{
			Electorate:   c.Electorate,
			Participated: add(c.Participated, remaining),
			Agree:        add(add(c.Agree, remaining), changed),
		}
	}
	if passesAll(r, with(0)) {
		return 0, true
	}
	if !passesAll(r, with(opposed)) {
		return 0, false
	}
	failing, passing := int64(0), opposed
	for passing-failing > 1 {
		mid := failing + (passing-failing)/2
		if passesAll(r, with(mid)) {
			passing = mid
		} else {
			failing = mid
		}
	}
	return passing, true
}

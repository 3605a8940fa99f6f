package rule

import (
	"fmt"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"
)

// This file checks Evaluate and ComputeShortfall against a slow, obviously right
// reference: shares compared as big.Rat, and the shortfall found by trying every
// subset of the remaining households.

// refPasses evaluates one check with big.Rat, knowing nothing of the engine's arithmetic.
func refPasses(ch Check, c Counts) bool {
	value, base := refAmounts(ch, c)
	if base == 0 {
		return false
	}
	cmp := big.NewRat(value, base).Cmp(big.NewRat(ch.Ratio.Num, ch.Ratio.Den))
	if ch.Strict {
		return cmp > 0
	}
	return cmp >= 0
}

func refAmounts(ch Check, c Counts) (value, base int64) {
	get := func(a Amount) int64 {
		if ch.Measure == MeasureArea {
			return a.AreaHundredths
		}
		return a.Households
	}
	value = get(c.Agree)
	if ch.Of == OfParticipated {
		value = get(c.Participated)
	}
	base = get(c.Electorate)
	if ch.Base == BaseParticipants {
		base = get(c.Participated)
	}
	return value, base
}

// refActual is the share as text in hundredths of a percent, rounded with big.Int
// towards the verdict: up when the check passes, down when it fails.
func refActual(ch Check, c Counts) string {
	value, base := refAmounts(ch, c)
	if base == 0 {
		return "0.00%"
	}
	num := big.NewInt(value * 10000)
	q, m := new(big.Int).QuoRem(num, big.NewInt(base), new(big.Int))
	if m.Sign() != 0 && refPasses(ch, c) {
		q.Add(q, big.NewInt(1))
	}
	return new(big.Rat).SetFrac(q, big.NewInt(100)).FloatString(2) + "%"
}

// refChangesNeeded adds every remaining household as agreeing and tries every subset of
// the opposed (disagreeing or abstaining) households changing to agree.
func refChangesNeeded(r Rule, c Counts, remaining, opposed []int64) (int64, bool) {
	all := Amount{Households: int64(len(remaining))}
	for _, area := range remaining {
		all.AreaHundredths += area
	}
	best := -1
	for mask := uint(0); mask < 1<<len(opposed); mask++ {
		k := bits.OnesCount(mask)
		if best >= 0 && k >= best {
			continue
		}
		changed := Amount{Households: int64(k)}
		for i, area := range opposed {
			if mask&(1<<i) != 0 {
				changed.AreaHundredths += area
			}
		}
		with := Counts{Electorate: c.Electorate, Participated: add(c.Participated, all), Agree: add(add(c.Agree, all), changed)}
		if refRulePasses(r, with) {
			best = k
		}
	}
	if best < 0 {
		return 0, false
	}
	return int64(best), true
}

func refRulePasses(r Rule, c Counts) bool {
	for _, ch := range r.Checks {
		if !refPasses(ch, c) {
			return false
		}
	}
	return len(r.Checks) > 0
}

// refShortfall tries every subset of the remaining households and keeps the smallest that passes.
func refShortfall(r Rule, c Counts, remaining []int64) Shortfall {
	best := -1
	for mask := uint(0); mask < 1<<len(remaining); mask++ {
		k := bits.OnesCount(mask)
		if best >= 0 && k >= best {
			continue
		}
		added := Amount{Households: int64(k)}
		for i, area := range remaining {
			if mask&(1<<i) != 0 {
				added.AreaHundredths += area
			}
		}
		with := Counts{Electorate: c.Electorate, Participated: add(c.Participated, added), Agree: add(c.Agree, added)}
		if refRulePasses(r, with) {
			best = k
		}
	}
	if best < 0 {
		return Shortfall{AgreeHouseholdsNeeded: 0, Possible: false}
	}
	return Shortfall{AgreeHouseholdsNeeded: int64(best), Possible: true}
}

// byteSource hands out bytes of a fuzz input, then zeros.
type byteSource struct {
	data []byte
	pos  int
}

func (s *byteSource) next() byte {
	if s.pos >= len(s.data) {
		return 0
	}
	s.pos++
	return s.data[s.pos-1]
}

// smallCase is a round of at most 8 households with a rule to judge it by.
type smallCase struct {
	rule      Rule
	counts    Counts
	remaining []int64 // areas of the households that have not responded, largest first
	opposed   []int64 // areas of the households that disagree or abstain, in no order
	passNil   bool    // hand ComputeShortfall nil instead of the areas (household-only rules)
}

func (sc smallCase) String() string {
	return fmt.Sprintf("rule %+v counts %+v remaining %v opposed %v nil=%v", sc.rule.Spec(), sc.counts, sc.remaining, sc.opposed, sc.passNil)
}

var testRatios = []string{"1/2", "2/3", "3/4", "80%", "66.67%", "100%", "1/3", "50%", "0.01%", "3/5", "90%", "1/7"}

// caseFrom derives a small, consistent case from arbitrary bytes.
func caseFrom(t testing.TB, data []byte) smallCase {
	src := &byteSource{data: data}
	var sc smallCase
	switch src.next() % 4 {
	case 0:
		sc.rule = mustPreset(t, PresetTwo80)
	case 1:
		sc.rule = mustPreset(t, PresetCivilCodeMajor)
	case 2:
		sc.rule = mustPreset(t, PresetCivilCodeOrdinary)
	default:
		spec := Spec{Preset: PresetCustom}
		for i := range 1 + int(src.next()%3) {
			shape := src.next()
			cs := CheckSpec{
				Name:    fmt.Sprintf("c%d", i),
				Measure: []string{"households", "area"}[shape%2],
				Base:    "electorate",
				Of:      []string{"participated", "agree", "agree"}[shape/2%3],
				Ratio:   testRatios[int(src.next())%len(testRatios)],
				Strict:  shape&0x80 != 0,
			}
			if shape/2%3 == 2 {
				cs.Base = "participants"
			}
			spec.Checks = append(spec.Checks, cs)
		}
		if !slices.ContainsFunc(spec.Checks, func(cs CheckSpec) bool { return cs.Of == "agree" }) {
			spec.Checks[len(spec.Checks)-1].Of = "agree" // a rule must count agreement
		}
		sc.rule = mustRule(t, spec)
	}
	electorate := int(src.next() % 9)
	participated := int(src.next()) % (electorate + 1)
	agree := int(src.next()) % (participated + 1)
	sc.passNil = !sc.rule.UsesArea() && src.next()%2 == 0
	for i := range electorate {
		area := int64(src.next()%16) * 100
		one := Amount{Households: 1, AreaHundredths: area}
		sc.counts.Electorate = add(sc.counts.Electorate, one)
		switch {
		case i < agree:
			sc.counts.Agree = add(sc.counts.Agree, one)
			sc.counts.Participated = add(sc.counts.Participated, one)
		case i < participated:
			sc.counts.Participated = add(sc.counts.Participated, one)
			sc.opposed = append(sc.opposed, area)
		default:
			sc.remaining = append(sc.remaining, area)
		}
	}
	slices.SortFunc(sc.remaining, descending)
	return sc
}

// checkAgainstReference compares the engine with the reference on one case.
func checkAgainstReference(t *testing.T, sc smallCase) {
	t.Helper()
	got := Evaluate(sc.rule, sc.counts)
	if want := refRulePasses(sc.rule, sc.counts); got.Passed != want {
		t.Fatalf("Evaluate passed=%v, reference %v; %v", got.Passed, want, sc)
	}
	for i, ch := range sc.rule.Checks {
		res := got.Checks[i]
		if res.Passed != refPasses(ch, sc.counts) || res.Actual != refActual(ch, sc.counts) {
			t.Fatalf("check %s = %+v, reference passed=%v actual=%s; %v",
				ch.Name, res, refPasses(ch, sc.counts), refActual(ch, sc.counts), sc)
		}
	}
	remaining := sc.remaining
	if sc.passNil {
		remaining = nil
	}
	gotShort := ComputeShortfall(sc.rule, sc.counts, remaining)
	if want := refShortfall(sc.rule, sc.counts, sc.remaining); gotShort != want {
		t.Fatalf("ComputeShortfall = %+v, reference %+v; %v", gotShort, want, sc)
	}
	opposed := sc.opposed
	if sc.passNil {
		opposed = nil
	}
	gotK, gotOK := ChangesNeeded(sc.rule, sc.counts, remaining, opposed)
	if wantK, wantOK := refChangesNeeded(sc.rule, sc.counts, sc.remaining, sc.opposed); gotK != wantK || gotOK != wantOK {
		t.Fatalf("ChangesNeeded = %d, %v; reference %d, %v; opposed %v; %v", gotK, gotOK, wantK, wantOK, sc.opposed, sc)
	}
}

func TestShortfallMatchesBruteForceOnRandomCases(t *testing.T) {
	const cases = 20000
	rng := rand.New(rand.NewPCG(2024, 278))
	data := make([]byte, 32)
	outcomes := map[string]int{}
	for range cases {
		for i := range data {
			data[i] = byte(rng.UintN(256))
		}
		sc := caseFrom(t, data)
		checkAgainstReference(t, sc)
		short := ComputeShortfall(sc.rule, sc.counts, sc.remaining)
		if k, ok := ChangesNeeded(sc.rule, sc.counts, sc.remaining, sc.opposed); !short.Possible && ok && k > 0 {
			outcomes["changes needed"]++
		}
		switch {
		case !short.Possible:
			outcomes["not possible"]++
		case short.AgreeHouseholdsNeeded == 0:
			outcomes["already passing"]++
		default:
			outcomes["needs more"]++
		}
	}
	// Guard against a generator that only ever produces one kind of case.
	for _, kind := range []string{"not possible", "already passing", "needs more", "changes needed"} {
		if outcomes[kind] < cases/20 {
			t.Errorf("only %d of %d random cases were %q: %v", outcomes[kind], cases, kind, outcomes)
		}
	}
	t.Logf("%d random cases: %v", cases, outcomes)
}

// FuzzShortfallMatchesBruteForce derives a small round from the input and compares the engine with the reference.
func FuzzShortfallMatchesBruteForce(f *testing.F) {
	// Layout: rule (0 two-80, 1 major, 2 ordinary, 3 custom: count, then shape and
	// ratio per check), E, P, A, a nil flag for household-only rules, then areas/100.
	seeds := [][]byte{
		{0, 10, 5, 4, 1},                        // two-80, E=1 (10 mod 9) P=1 A=0
		{0, 7, 5, 4, 1},                         // two-80, E=7 P=5 A=4: needs 1
		{0, 7, 7, 5, 0},                         // two-80, E=7 P=7 A=5: not possible
		{0, 7, 6, 4, 0},                         // two-80, E=7 P=6 A=4: not possible
		{0, 0},                                  // empty electorate
		{1, 8, 3, 3, 15, 1, 1, 2, 9, 4, 15, 15}, // civil-code-major, big flats remain
		{2, 8, 6, 3, 5, 5, 5, 5, 5, 5, 15, 1},   // civil-code-ordinary, strict half
		{3, 1, 2, 1, 3, 1, 6, 4, 4, 9, 3, 3, 6, 12, 15}, // custom, Jinan: 2/3 agree of electorate
		{3, 2, 0x81, 0, 5, 5, 2, 8, 6, 6, 3, 2, 1, 0, 7, 7, 7},
		{3, 0, 4, 5, 8, 255, 255, 1, 2, 3, 4, 5, 6, 7, 8},
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkAgainstReference(t, caseFrom(t, data))
	})
}

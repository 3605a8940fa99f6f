package api

import (
	"context"
	"fmt"
	"testing"

	"minyi/model"
	"minyi/service"
)

// noticeSeed is an estate with a roster of distinctive personal data, an
// open round with sign-offs, and what must never appear on a public page.
type noticeSeed struct {
	code       string
	name       string
	estateID   string
	roundID    string
	households []model.Household
	// secrets are personal strings (names, phones, rooms, signers, comments, ids).
	secrets []string
	worker  service.Actor
}

// seedNoticeEstate creates an estate whose buildings have the given numbers
// of households and opens a two-80 round in which decide(i) says what
// household i decided ("" for no decision yet).
func seedNoticeEstate(tb testing.TB, svc *service.Service, code, name string, buildings []int, decide func(i int) string) *noticeSeed {
	tb.Helper()
	ctx := context.Background()
	system := service.SystemActor()
	community, address, phone := "幸福社区", "和平路 88 号", "027-88886666"
	year := 1992
	estate, err := svc.CreateEstate(ctx, system, service.EstateFields{Name: &name, Code: &code, Community: &community,
		Address: &address, ContactPhone: &phone, BuiltYear: &year})
	if err != nil {
		tb.Fatal(err)
	}
	seed := &noticeSeed{code: code, name: name, estateID: estate.ID,
		worker: service.Actor{Kind: service.ActorSystem, ID: "worker-notice", Role: service.RoleWorker, Channel: service.ChannelDoor}}
	var items []service.HouseholdFields
	index := 0
	for b, size := range buildings {
		for j := 0; j < size; j++ {
			building, unit := fmt.Sprint(b+1), "1"
			room := fmt.Sprintf("Z%d-%03d", b+1, j)
			owner := fmt.Sprintf("隐户主%04d", index)
			phone := fmt.Sprintf("1397%07d", index)
			area := int64(6000 + index%5000)
			items = append(items, service.HouseholdFields{Building: &building, Unit: &unit, Room: &room,
				AreaHundredths: &area, OwnerName: &owner, Phone: &phone})
			seed.secrets = append(seed.secrets, room, owner, phone)
			index++
		}
	}
	for start := 0; start < len(items); start += service.MaxHouseholdsPerRequest {
		end := min(start+service.MaxHouseholdsPerRequest, len(items))
		created, err := svc.CreateHouseholds(ctx, system, estate.ID, items[start:end])
		if err != nil {
			tb.Fatal(err)
		}
		seed.households = append(seed.households, created...)
	}
	title, kind := "加装电梯意愿征询（第一轮）", service.KindWillingness
	round, err := svc.CreateRound(ctx, system, estate.ID, service.RoundFields{Title: &title, Kind: &kind})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := svc.OpenRound(ctx, system, round.ID, false); err != nil {
		tb.Fatal(err)
	}
	seed.roundID = round.ID
	for i, h := range seed.households {
		seed.secrets = append(seed.secrets, h.ID)
		if decision := decide(i); decision != "" {
			seed.sign(tb, svc, i, decision)
		}
	}
	return seed
}

// sign records household i's decision with a distinctive signer and comment.
func (s *noticeSeed) sign(tb testing.TB, svc *service.Service, i int, decision string) {
	tb.Helper()
	signer, comment := fmt.Sprintf("签字人%04d", i), fmt.Sprintf("私密意见%04d：家里老人腿脚不便", i)
	_, err := svc.RecordSignOff(context.Background(), s.worker, s.roundID, s.households[i].ID,
		service.SignOffInput{Decision: decision, Channel: service.ChannelDoor, SignerName: signer, Comment: comment})
	if err != nil {
		tb.Fatalf("sign household %d: %v", i, err)
	}
	s.secrets = append(s.secrets, signer, comment)
}

// agreeMostly is a decision pattern: about two thirds decided, mostly agreeing.
func agreeMostly(i int) string {
	switch i % 6 {
	case 0, 1, 2:
		return service.DecisionAgree
	case 3:
		return service.DecisionDisagree
	default:
		return ""
	}
}

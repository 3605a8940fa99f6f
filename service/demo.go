package service

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"minyi/model"
)

// DemoEstateCode is the code of the estate that `serve --demo` loads.
const DemoEstateCode = "demo"

// LoadDemo creates, once, a demo estate: three buildings of two units with
// 20 flats each (120 households with realistic areas), and an open two-80
// round in which about two thirds of the households have signed.
func (s *Service) LoadDemo(ctx context.Context) error {
	n, err := s.read(ctx).CountDemoEstates(DemoEstateCode)
	if err != nil {
		return AsError(err)
	}
	if n > 0 {
		return nil
	}
	system := SystemActor()
	name, code, district, street, community, address := "幸福里小区（演示）", DemoEstateCode, "示范区", "和平街道", "幸福里社区", "和平路 88 号"
	year := 1995
	estate, err := s.CreateEstate(ctx, system, EstateFields{Name: &name, Code: &code, District: &district,
		Street: &street, Community: &community, Address: &address, BuiltYear: &year})
	if err != nil {
		var se *Error
		if errors.As(err, &se) && se.Code == "duplicate_code" {
			return nil // another instance loaded it at the same moment
		}
		return err
	}
	rng := rand.New(rand.NewPCG(2026, 11))
	surnames := []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
	given := []rune("建国秀英志强桂兰海燕文华丽娟明军红梅玉兰")
	var items []HouseholdFields
	for b := 1; b <= 3; b++ {
		for u := 1; u <= 2; u++ {
			for floor := 1; floor <= 10; floor++ {
				for flat := 1; flat <= 2; flat++ {
					building, unit, room := fmt.Sprint(b), fmt.Sprint(u), fmt.Sprintf("%d%02d", floor, flat)
					area := int64(5500 + rng.IntN(6500)) // 55.00 to 119.99 m²
					owner := string(surnames[rng.IntN(len(surnames))]) + string(given[rng.IntN(len(given))]) + string(given[rng.IntN(len(given))])
					phone := fmt.Sprintf("139%08d", rng.IntN(100_000_000))
					occupancy := "owner"
					if rng.IntN(10) == 0 {
						occupancy = "rented"
					}
					items = append(items, HouseholdFields{Building: &building, Unit: &unit, Room: &room, AreaHundredths: &area,
						OwnerName: &owner, Phone: &phone, Occupancy: &occupancy})
				}
			}
		}
	}
	households, err := s.CreateHouseholds(ctx, system, estate.ID, items)
	if err != nil {
		return err
	}
	title, kind := "加装电梯及外立面改造意愿征询（第一轮）", KindWillingness
	round, err := s.CreateRound(ctx, system, estate.ID, RoundFields{Title: &title, Kind: &kind})
	if err != nil {
		return err
	}
	if _, err := s.OpenRound(ctx, system, round.ID, false); err != nil {
		return err
	}
	worker := Actor{Kind: ActorSystem, ID: "demo", Role: RoleWorker, Name: "演示网格员", Channel: ChannelDoor}
	for i, h := range households {
		var decision string
		switch r := rng.IntN(100); {
		case i%3 == 2:
			continue // not reached yet
		case r < 82:
			decision = DecisionAgree
		case r < 93:
			decision = DecisionDisagree
		default:
			decision = DecisionAbstain
		}
		channel := ChannelDoor
		if i%2 == 0 {
			channel = ChannelPaper
		}
		if _, err := s.RecordSignOff(ctx, worker, round.ID, h.ID, SignOffInput{Decision: decision, Channel: channel,
			SignerName: h.OwnerName}); err != nil {
			return err
		}
	}
	return nil
}

// DemoLogin is one staff account that `serve --demo` creates, with its password.
type DemoLogin struct {
	Username, Password, Role string
}

// DemoLogins are the demo's staff accounts. Their passwords are public: they
// exist only in databases loaded with --demo.
var DemoLogins = []DemoLogin{
	{Username: "demo-admin", Password: "demo-admin-2026", Role: RoleAdmin},
	{Username: "demo-worker", Password: "demo-worker-2026", Role: RoleWorker},
	{Username: "demo-designer", Password: "demo-designer-2026", Role: RoleDesigner},
}

// LoadDemoStaff creates, once, the demo's admin, worker and designer and
// assigns the worker and designer to the demo estate (LoadDemo first).
func (s *Service) LoadDemoStaff(ctx context.Context) error {
	estate, err := s.read(ctx).DemoEstate(DemoEstateCode)
	if err != nil {
		return AsError(err)
	}
	system := SystemActor()
	names := map[string]string{RoleAdmin: "演示管理员", RoleWorker: "演示社区工作人员", RoleDesigner: "演示设计师"}
	for _, l := range DemoLogins {
		user, err := s.read(ctx).UserByUsername(l.Username)
		if errors.Is(err, model.ErrNotFound) {
			created, cerr := s.CreateUser(ctx, system, NewUser{Username: l.Username, Password: l.Password, DisplayName: names[l.Role], Role: l.Role})
			if cerr != nil && !isDuplicate(cerr) {
				return cerr
			}
			if created == nil {
				continue // another instance created it at the same moment
			}
			user = *created
		} else if err != nil {
			return AsError(err)
		}
		if l.Role != RoleAdmin {
			if err := s.AssignStaff(ctx, system, estate.ID, user.ID, l.Role); err != nil {
				return err
			}
		}
	}
	return nil
}

func isDuplicate(err error) bool {
	var se *Error
	return errors.As(err, &se) && se.Code == "duplicate_username"
}

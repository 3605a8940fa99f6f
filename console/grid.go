package console

import (
	"html"
	"html/template"
	"strings"

	"minyi/service"
)

// stateMarks are the grid's marks next to the colours, so the state is not told by colour alone.
var stateMarks = map[string]string{
	service.DecisionAgree: "✔", service.DecisionDisagree: "✘", service.DecisionAbstain: "○",
	service.RoomVisited: "…", service.RoomNotVisited: "·",
}

// gridHTML writes a unit's room grid. A 500-household building has 500
// cells; writing them here, every value escaped, costs a fraction of
// executing the template for each.
func gridHTML(roundID string, rooms []service.RoomState) template.HTML {
	var b strings.Builder
	b.Grow(len(rooms) * 400)
	round := html.EscapeString(roundID)
	for _, r := range rooms {
		id, label := html.EscapeString(r.HouseholdID), html.EscapeString(r.Building+"-"+r.Unit+"-"+r.Room)
		class, words, mark := "cell s-"+r.State, stateLabel(r.State), stateMarks[r.State]
		if r.OpenObjection {
			class += " objection"
			words += "，有未答复的异议"
			mark += "!"
		}
		b.WriteString(`<li><a class="`)
		b.WriteString(html.EscapeString(class))
		b.WriteString(`" href="/console/rounds/` + round + `/households/` + id + `" data-household="` + id)
		b.WriteString(`" data-owner="` + html.EscapeString(r.OwnerName) + `" data-label="` + label)
		b.WriteString(`" aria-label="` + html.EscapeString(r.Room) + ` 室，` + html.EscapeString(words) + `"><span class="room">`)
		b.WriteString(html.EscapeString(r.Room))
		b.WriteString(`</span><span class="mark" aria-hidden="true">` + mark + "</span></a></li>\n")
	}
	return template.HTML(b.String()) // every value above is escaped
}

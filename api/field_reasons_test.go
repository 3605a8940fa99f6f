package api

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// badBodies are requests to the writing routes that each break one or more
// validation rules, so that the walk below meets every reason the service
// gives; {name} stands for the world's id, as in sampleBodies.
var badBodies = map[string][]string{
	"POST /api/v1/users": {
		`{"username":"A!","password":"short","role":"boss","display_name":"` + strings.Repeat("名", 101) + `"}`,
		`{"username":"longpassword","password":"` + strings.Repeat("旧改征询", 8) + `","role":"worker"}`,
	},
	"PATCH /api/v1/users/:user_id": {`{"display_name":""}`, `{"password":"short"}`},
	"POST /api/v1/estates": {
		`{"name":"","code":"X!"}`,
		`{"name":"` + strings.Repeat("名", 101) + `","built_year":1800,"contact_phone":"` + strings.Repeat("1", 33) + `"}`,
	},
	"PATCH /api/v1/estates/:estate_id":              {`{"name":""}`, `{"code":"A"}`},
	"PUT /api/v1/estates/:estate_id/staff/:user_id": {`{"role":"admin"}`, `{"role":"boss"}`},
	"POST /api/v1/estates/:estate_id/households": {
		`{"items":[]}`,
		`{"items":[{"building":"","unit":"1","room":"1","area_m2":0,"owner_name":"` + strings.Repeat("名", 101) + `","phone":"abc","occupancy":"x"}]}`,
		`{"items":[{"building":"1","unit":"1","room":"1","area_m2":1},{"building":"1","unit":"1","room":"1","area_m2":1}]}`,
		`{"items":[{"building":"1","unit":"1","room":"1"}]}`,
		`{"items":[{"building":"1","unit":"1","room":"1","area_m2":1.234}]}`,
	},
	"PATCH /api/v1/households/:household_id": {`{"area_m2":-1}`, `{"occupancy":"x"}`, `{"room":""}`},
	"POST /api/v1/estates/:estate_id/rounds": {
		`{"title":"","kind":"x"}`,
		`{}`,
		`{"title":"t","kind":"willingness","scope":{"unit":"1"}}`,
		`{"title":"t","kind":"willingness","scope":{"building":"` + strings.Repeat("1", 33) + `"}}`,
		`{"title":"t","kind":"willingness","closes_at":"2000-01-01T00:00:00Z"}`,
		`{"title":"t","kind":"willingness","closes_at":"tomorrow"}`,
		`{"title":"t","kind":"plan","rule":{"preset":"nope"}}`,
		`{"title":"t","kind":"plan","rule":{"preset":"custom","checks":[]}}`,
		`{"title":"t","kind":"plan","rule":{"preset":"two-80","checks":[{"measure":"area","base":"electorate","ratio":"1/2"}]}}`,
		`{"title":"t","kind":"plan","rule":{"preset":"custom","checks":[{"measure":"x","base":"y","of":"z","ratio":"abc","name":"a b"}]}}`,
		`{"title":"t","kind":"plan","rule":{"preset":"custom","checks":[{"measure":"households","base":"participants","of":"participated","ratio":"150%","name":"` + strings.Repeat("n", 65) + `"}]}}`,
		`{"title":"t","kind":"plan","rule":{"preset":"custom","checks":[{"measure":"households","base":"electorate","of":"agree","ratio":"0","name":"a"},{"measure":"area","base":"electorate","of":"agree","ratio":"1/0","name":"a"}]}}`,
		`{"title":"t","kind":"plan","rule":{"preset":"custom","checks":[{"measure":"households","base":"electorate","of":"agree","ratio":"80.12345%"},{"measure":"area","base":"electorate","of":"agree","ratio":"1/100000000"}]}}`,
		`{"title":"t","kind":"plan","rule":{"preset":"custom","checks":[` + strings.Repeat(`{"measure":"households","base":"electorate","of":"agree","ratio":"1/2"},`, 20) + `{"measure":"households","base":"electorate","of":"agree","ratio":"1/2"}]}}`,
	},
	"PATCH /api/v1/rounds/:round_id": {`{"title":""}`},
	"PUT /api/v1/rounds/:round_id/signoffs/:household_id": {
		`{"decision":"maybe","channel":"x","signer_name":"","evidence_url":"ftp://x","comment":"` + strings.Repeat("长", 2001) + `"}`,
		`{"decision":"agree","channel":"paper","signer_name":"` + strings.Repeat("名", 101) + `"}`,
	},
	"POST /api/v1/estates/:estate_id/objections": {
		`{"household_id":"{household_id}","category":"x","content":"","plan_item":"` + strings.Repeat("项", 101) + `","channel":"x"}`,
		`{"category":"drainage","content":"x"}`,
		`{"household_id":"{household_id}","category":"drainage","content":"x","photos":["a","a"]}`,
		`{"household_id":"{household_id}","category":"drainage","content":"x","photos":["a","b","c","d","e","f","g","h","i","j"]}`,
		`{"household_id":"{household_id}","category":"drainage","content":"x","photos":["0190f000-0000-7000-8000-00000000dead"]}`,
		`{"household_id":"{household_id}","round_id":"0190f000-0000-7000-8000-00000000dead","category":"drainage","content":"x"}`,
		`{"household_id":"0190f000-0000-7000-8000-00000000dead","category":"drainage","content":"x"}`,
	},
	"POST /api/v1/objections/:objection_id/response": {
		`{"outcome":"x","explanation":""}`, `{"outcome":"not_adopted","explanation":""}`,
		`{"outcome":"not_adopted","explanation":"` + strings.Repeat("长", 2001) + `"}`,
		`{"outcome":"not_adopted","explanation":"x","revision_id":"0190f000-0000-7000-8000-00000000dead"}`,
	},
	"POST /api/v1/objections/:objection_id/follow-up": {`{"satisfied":false,"note":""}`, `{}`},
	"POST /api/v1/estates/:estate_id/surveys": {
		`{"title":"","purpose":"x","questions":[{"id":"A B","kind":"x","text":""},{"id":"a","kind":"single","text":"t","options":["甲"]}]}`,
		`{"template":"x"}`, `{"template":"xuchang-satisfaction","purpose":"needs","questions":[{}]}`,
		`{"title":"t","purpose":"needs","questions":[{"id":"a","kind":"rating","text":"t","options":["甲","乙"]},{"id":"a","kind":"multiple","text":"t","options":["甲","甲"]}]}`,
	},
	"POST /api/v1/estates/:estate_id/revisions": {
		`{"title":"","summary":"` + strings.Repeat("长", 2001) + `","changes":"x","addresses":[]}`,
		`{"title":"t","summary":"s","changes":"` + strings.Repeat("长", 20001) + `","addresses":["{objection_id}","{objection_id}"],"attachments":["a","a"]}`,
		`{"title":"t","summary":"s","changes":"c","addresses":["0190f000-0000-7000-8000-00000000dead"]}`,
		`{"title":"t","summary":"s","changes":"c","attachments":["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q","r","s","t","u"]}`,
	},
	"POST /api/v1/me/bindings":                {`{"code":""}`, `{"code":"ZZZZZZZZ"}`},
	"POST /api/v1/me/phone":                   {`{"code":""}`},
	"POST /api/v1/auth/wechat":                {`{"code":""}`},
	"PUT /api/v1/rounds/:round_id/my-signoff": {`{"decision":"maybe"}`},
	"POST /api/v1/moderation/:item_id/review": {`{"outcome":"x"}`},
	"POST /api/v1/rounds/:round_id/visits": {
		`{"outcome":"x","note":"` + strings.Repeat("长", 2001) + `"}`,
	},
	"POST /api/v1/rounds/:round_id/sync": {
		`{"records":[]}`,
		`{"records":[{"client_id":"not-a-uuid","type":"x","recorded_at":""}]}`,
		`{"records":[{"client_id":"0190f000-0000-7000-8000-00000000c001","type":"signoff","household_id":"{household_id}","recorded_at":"2099-01-01T00:00:00Z","decision":"agree","channel":"x"}]}`,
		`{"records":[{"client_id":"0190f000-0000-7000-8000-00000000c002","type":"visit","household_id":"{household_id}","recorded_at":"2000-01-01T00:00:00Z","outcome":"x"}]}`,
	},
}

// TestEveryFieldReasonHasChinese walks every validation path it can reach:
// the malformed bodies of the fuzz corpus and the bad bodies above, sent to
// every POST, PUT and PATCH route as a caller the route allows. Every
// reason in "fields" must be Chinese by default and English (with a Chinese
// text in the catalogue) with Accept-Language: en. Fails on the old code
// (every reason was English only).
func TestEveryFieldReasonHasChinese(t *testing.T) {
	w := newFuzzWorld(t)
	seen := map[string]bool{}
	send := func(rt Route, path, token, body, lang string) map[string]string {
		req := httptest.NewRequest(rt.Method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if lang != "" {
			req.Header.Set("Accept-Language", lang)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		w.handler.ServeHTTP(rec, req)
		var env errorBody
		json.Unmarshal(rec.Body.Bytes(), &env)
		return env.Error.Fields
	}
	for _, rt := range w.routes {
		path := rt.Path
		for name, id := range w.params {
			path = strings.ReplaceAll(path, ":"+name, id)
		}
		bodies := append([]string{}, edgeBodies...)
		for _, b := range badBodies[rt.Method+" "+rt.Path] {
			for name, id := range w.params {
				b = strings.ReplaceAll(b, "{"+name+"}", id)
			}
			bodies = append(bodies, b)
		}
		for _, body := range bodies {
			token := w.tokenFor(rt)
			for field, reason := range send(rt, path, token, body, "") {
				if !hanPattern.MatchString(reason) || strings.Contains(reason, "填写有误（") {
					t.Errorf("%s %s %.80s: fields.%s = %q has no Chinese text", rt.Method, rt.Path, body, field, reason)
				}
			}
			for field, reason := range send(rt, path, token, body, "en") {
				seen[reason] = true
				if hanPattern.MatchString(reason) && englishWordPattern.MatchString(reason) {
					continue // a reason that quotes Chinese data, e.g. the header row
				}
				if _, ok := chineseReason(reason); !ok {
					t.Errorf("%s %s: fields.%s = %q has no Chinese text in service/fieldtext", rt.Method, rt.Path, field, reason)
				}
			}
		}
	}
	reasons := make([]string, 0, len(seen))
	for r := range seen {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	t.Logf("%d distinct reasons met", len(reasons))
	if len(reasons) < 60 {
		t.Errorf("the walk met only %d distinct reasons; it no longer reaches the validation: %q", len(reasons), reasons)
	}
}

// TestFieldReasonLiteralsHaveChinese reads the code of the api and service
// packages and checks that every reason written as a literal (the second
// argument of InvalidField, a value assigned to fields[…] or bad[…], a
// map literal given to abortWith or Invalid or as Fields, a fieldError)
// has a Chinese text, with sample values for fmt verbs and concatenations.
// It catches reasons no request of the walk above reaches.
func TestFieldReasonLiteralsHaveChinese(t *testing.T) {
	verbs := regexp.MustCompile(`%[-+# 0-9.]*[dqsvw]`)
	sample := func(format string) string {
		return verbs.ReplaceAllStringFunc(format, func(v string) string {
			switch v[len(v)-1] {
			case 'd':
				return "1"
			case 'q':
				return `"x"`
			}
			return "x"
		})
	}
	// literalOf renders a reason expression with sample values, or "" when
	// it does not start with a literal (a reason computed elsewhere).
	var literalOf func(e ast.Expr) string
	literalOf = func(e ast.Expr) string {
		switch e := e.(type) {
		case *ast.BasicLit:
			if e.Kind == token.STRING {
				s, _ := strconv.Unquote(e.Value)
				return sample(s)
			}
		case *ast.BinaryExpr:
			left := literalOf(e.X)
			if left == "" {
				return ""
			}
			right := literalOf(e.Y)
			if right == "" {
				right = "x"
			}
			return left + right
		case *ast.CallExpr:
			if sel, ok := e.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Sprintf" && len(e.Args) > 0 {
				return literalOf(e.Args[0])
			}
		}
		return ""
	}
	nameOf := func(e ast.Expr) string {
		switch e := e.(type) {
		case *ast.Ident:
			return e.Name
		case *ast.SelectorExpr:
			return e.Sel.Name
		}
		return ""
	}
	var missing []string
	count := 0
	check := func(fset *token.FileSet, e ast.Expr) {
		reason := literalOf(e)
		if reason == "" {
			return
		}
		count++
		if _, ok := chineseReason(reason); !ok {
			missing = append(missing, fset.Position(e.Pos()).String()+": "+strconv.Quote(reason))
		}
	}
	checkMap := func(fset *token.FileSet, e ast.Expr) {
		lit, ok := e.(*ast.CompositeLit)
		if !ok {
			return
		}
		if m, ok := lit.Type.(*ast.MapType); !ok || nameOf(m.Value) != "string" {
			return
		}
		for _, el := range lit.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				check(fset, kv.Value)
			}
		}
	}
	for _, dir := range []string{".", "../service"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			fset := token.NewFileSet()
			file, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(file, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					switch nameOf(n.Fun) {
					case "InvalidField":
						if len(n.Args) == 2 {
							check(fset, n.Args[1])
						}
					case "abortWith":
						if len(n.Args) >= 4 {
							checkMap(fset, n.Args[3])
						}
					case "Invalid":
						if len(n.Args) == 2 {
							checkMap(fset, n.Args[1])
						}
					}
				case *ast.AssignStmt:
					for i, lhs := range n.Lhs {
						if idx, ok := lhs.(*ast.IndexExpr); ok && i < len(n.Rhs) {
							switch nameOf(idx.X) {
							case "fields", "Fields", "bad":
								check(fset, n.Rhs[i])
							}
						}
					}
				case *ast.KeyValueExpr:
					if nameOf(n.Key) == "Fields" {
						checkMap(fset, n.Value)
					}
				case *ast.CompositeLit:
					if nameOf(n.Type) == "fieldError" && len(n.Elts) == 2 {
						check(fset, n.Elts[1])
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d reason literals checked", count)
	if count < 80 {
		t.Errorf("only %d reason literals found; the scan no longer sees the code", count)
	}
	for _, m := range missing {
		t.Errorf("no Chinese text in service/fieldtext for %s", m)
	}
}

// TestFieldReasonsFollowTheLanguage: the same bad request gives Chinese
// reasons by default and the English ones with Accept-Language: en.
func TestFieldReasonsFollowTheLanguage(t *testing.T) {
	w := newFuzzWorld(t)
	body := `{"username":"A!","password":"short","role":"boss"}`
	for lang, want := range map[string]string{"": "只能是 admin（管理员）、worker（工作人员）、designer（设计师）或 supervisor（监督员）", "en": "must be admin, worker, designer or supervisor"} {
		req := httptest.NewRequest("POST", "/api/v1/users", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+w.admin)
		if lang != "" {
			req.Header.Set("Accept-Language", lang)
		}
		rec := httptest.NewRecorder()
		w.handler.ServeHTTP(rec, req)
		var env errorBody
		json.Unmarshal(rec.Body.Bytes(), &env)
		if rec.Code != http.StatusUnprocessableEntity || env.Error.Fields["role"] != want {
			t.Errorf("Accept-Language %q: %d fields %v, want role %q", lang, rec.Code, env.Error.Fields, want)
		}
	}
}

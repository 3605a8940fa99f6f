package api

import (
	"bytes"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"minyi/model/testdb"
	"minyi/service"
)

// ginParam matches a Gin path parameter (":round_id" or "*path").
var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// specPath turns a Gin route path into its OpenAPI form (/rounds/{round_id}).
func specPath(ginPath string) string { return ginParam.ReplaceAllString(ginPath, "{$1}") }

// specOperations lists "METHOD /path" of every operation in the spec.
func specOperations(doc *openapi3.T) map[string]*openapi3.Operation {
	ops := map[string]*openapi3.Operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops[strings.ToUpper(method)+" "+path] = op
		}
	}
	return ops
}

func mustParseSpec(t *testing.T) *openapi3.T {
	t.Helper()
	raw, err := os.ReadFile("../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := parseSpec(raw)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestOpenAPIIsValid loads openapi.yaml with kin-openapi and validates it as
// an OpenAPI 3 document.
func TestOpenAPIIsValid(t *testing.T) {
	doc := mustParseSpec(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi version %q, want 3.x", doc.OpenAPI)
	}
	if doc.Components == nil || doc.Components.SecuritySchemes["bearerAuth"] == nil {
		t.Fatal("components.securitySchemes.bearerAuth is missing")
	}
	for _, name := range []string{"Error", "Tally", "Round", "Household", "Estate", "User", "Amount"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("components.schemas.%s is missing", name)
		}
	}
}

// TestOpenAPIMatchesRoutes fails for every route the Gin router registers
// that the spec lacks and for every spec operation the server does not serve.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc := mustParseSpec(t)
	srv := newTestServer(t, testdb.OpenSQLite(t))
	engine, ok := srv.handler.(*gin.Engine)
	if !ok {
		t.Fatalf("the test server's handler is a %T, not a *gin.Engine", srv.handler)
	}
	registered := map[string]bool{}
	for _, r := range engine.Routes() {
		registered[r.Method+" "+specPath(r.Path)] = true
	}
	operations := specOperations(doc)
	var missingFromSpec, missingFromServer []string
	for r := range registered {
		if operations[r] == nil {
			missingFromSpec = append(missingFromSpec, r)
		}
	}
	for op := range operations {
		if !registered[op] {
			missingFromServer = append(missingFromServer, op)
		}
	}
	slices.Sort(missingFromSpec)
	slices.Sort(missingFromServer)
	if len(missingFromSpec) > 0 {
		t.Errorf("routes registered but missing from openapi.yaml:\n  %s", strings.Join(missingFromSpec, "\n  "))
	}
	if len(missingFromServer) > 0 {
		t.Errorf("operations in openapi.yaml that the server does not register:\n  %s", strings.Join(missingFromServer, "\n  "))
	}
}

// TestOpenAPISecurityMatchesRoutes checks that the spec tells the truth about
// authentication: public routes need no token, every other route needs the
// bearer token and documents 401 (and 403 when some role is refused), and its
// writes accept Idempotency-Key.
func TestOpenAPISecurityMatchesRoutes(t *testing.T) {
	doc := mustParseSpec(t)
	operations := specOperations(doc)
	for _, rt := range (&API{}).Routes() {
		name := rt.Method + " " + specPath(rt.Path)
		op := operations[name]
		if op == nil {
			continue // reported by TestOpenAPIMatchesRoutes
		}
		security := doc.Security
		if op.Security != nil {
			security = *op.Security
		}
		needsBearer := false
		for _, requirement := range security {
			if _, ok := requirement["bearerAuth"]; ok {
				needsBearer = true
			}
		}
		public := rt.Action == service.ActPublic
		if public && needsBearer {
			t.Errorf("%s is public but the spec asks for a bearer token (set security: [])", name)
		}
		if public {
			continue
		}
		if !needsBearer {
			t.Errorf("%s needs a bearer token but the spec does not say so (security bearerAuth)", name)
		}
		if op.Responses.Status(http.StatusUnauthorized) == nil {
			t.Errorf("%s does not document 401", name)
		}
		if refusesSomeRole(rt.Action) && op.Responses.Status(http.StatusForbidden) == nil {
			t.Errorf("%s is closed to some roles but does not document 403", name)
		}
		if rt.Method != http.MethodGet && !hasHeaderParameter(doc, name, "Idempotency-Key") {
			t.Errorf("%s is a write but does not document the Idempotency-Key header", name)
		}
	}
}

// refusesSomeRole tells whether a role may be refused the action (403).
func refusesSomeRole(action service.Action) bool {
	for _, role := range []string{service.RoleAdmin, service.RoleWorker, service.RoleDesigner, service.RoleResident} {
		if !service.RoleAllowed(action, role) {
			return true
		}
	}
	return false
}

func hasHeaderParameter(doc *openapi3.T, operation, header string) bool {
	method, path, _ := strings.Cut(operation, " ")
	item := doc.Paths.Find(path)
	if item == nil {
		return false
	}
	params := append(openapi3.Parameters{}, item.Parameters...)
	if op := item.GetOperation(method); op != nil {
		params = append(params, op.Parameters...)
	}
	for _, p := range params {
		if p.Value != nil && p.Value.In == openapi3.ParameterInHeader && strings.EqualFold(p.Value.Name, header) {
			return true
		}
	}
	return false
}

// TestOpenAPIServedMatchesFile checks that /openapi.yaml serves the file byte
// for byte, as YAML.
func TestOpenAPIServedMatchesFile(t *testing.T) {
	file, err := os.ReadFile("../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv := newTestServer(t, testdb.OpenSQLite(t))
	resp := srv.must(http.StatusOK, "GET", "/openapi.yaml", "", nil)
	if !bytes.Equal(resp.Body, file) {
		t.Errorf("GET /openapi.yaml serves %d bytes that differ from openapi.yaml (%d bytes)", len(resp.Body), len(file))
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/yaml") {
		t.Errorf("Content-Type %q, want application/yaml", ct)
	}
}

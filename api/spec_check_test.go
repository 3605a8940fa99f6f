package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// specHost is the server the test copy of the spec is given, so that the
// router can match the relative paths the handler tests call.
const specHost = "http://localhost"

// loadedSpec is openapi.yaml, parsed and validated once per test binary.
var loadedSpec struct {
	once   sync.Once
	doc    *openapi3.T
	router routers.Router
	err    error
}

// parseSpec loads and validates an OpenAPI document.
func parseSpec(raw []byte) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml does not load: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi.yaml is not a valid OpenAPI document: %w", err)
	}
	return doc, nil
}

// specRouter returns the parsed spec and a router over it whose only server
// is specHost.
func specRouter() (*openapi3.T, routers.Router, error) {
	loadedSpec.once.Do(func() {
		doc, err := parseSpec(specBytes)
		if err != nil {
			loadedSpec.err = err
			return
		}
		doc.Servers = openapi3.Servers{{URL: specHost}}
		router, err := gorillamux.NewRouter(doc)
		if err != nil {
			loadedSpec.err = fmt.Errorf("openapi.yaml paths do not build a router: %w", err)
			return
		}
		loadedSpec.doc, loadedSpec.router = doc, router
	})
	return loadedSpec.doc, loadedSpec.router, loadedSpec.err
}

// validateAgainstSpec checks a response against openapi.yaml: the route must
// be in the spec, the status must be documented for it, and a JSON body must
// match the documented schema.
func validateAgainstSpec(t *testing.T, method, path string, resp *testResponse) {
	t.Helper()
	if err := checkResponseAgainstSpec(method, path, resp); err != nil {
		t.Errorf("%s %s → %d does not match openapi.yaml: %v\nbody: %.2000s", method, path, resp.Status, err, resp.Body)
	}
}

// checkResponseAgainstSpec is the validation itself, returning what is wrong.
func checkResponseAgainstSpec(method, path string, resp *testResponse) error {
	doc, router, err := specRouter()
	if err != nil {
		return err
	}
	req := httptest.NewRequest(method, specHost+path, nil)
	route, pathParams, err := router.FindRoute(req)
	if err != nil {
		return checkUnroutedResponse(doc, method, path, resp, err)
	}
	mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	isJSON := mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: pathParams, Route: route},
		Status:                 resp.Status,
		Header:                 resp.Header,
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			ExcludeResponseBody:   !isJSON,
			MultiError:            true,
		},
	}
	input.SetBodyBytes(resp.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		return err
	}
	if !isJSON && len(resp.Body) > 0 {
		return checkMediaTypeDocumented(route, resp.Status, mediaType)
	}
	return nil
}

// checkMediaTypeDocumented makes sure a body that is not JSON (whose content
// is not validated) at least has a content type the spec lists for the status.
func checkMediaTypeDocumented(route *routers.Route, status int, mediaType string) error {
	response := route.Operation.Responses.Status(status)
	if response == nil {
		response = route.Operation.Responses.Default()
	}
	if response == nil || response.Value == nil {
		return fmt.Errorf("status %d is not documented", status)
	}
	if response.Value.Content.Get(mediaType) == nil {
		return fmt.Errorf("response Content-Type %q is not documented for status %d (documented: %v)",
			mediaType, status, contentTypes(response.Value.Content))
	}
	return nil
}

func contentTypes(content openapi3.Content) []string {
	var names []string
	for name := range content {
		names = append(names, name)
	}
	return names
}

// checkUnroutedResponse handles a request the spec has no operation for: it
// is fine only when the server agreed that the route does not exist (404
// route_not_found or 405 method_not_allowed in the error envelope).
func checkUnroutedResponse(doc *openapi3.T, method, path string, resp *testResponse, routeErr error) error {
	var envelope struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	json.Unmarshal(resp.Body, &envelope)
	unknownRoute := resp.Status == http.StatusNotFound && envelope.Error.Code == "route_not_found" && errors.Is(routeErr, routers.ErrPathNotFound)
	wrongMethod := resp.Status == http.StatusMethodNotAllowed && envelope.Error.Code == "method_not_allowed" && errors.Is(routeErr, routers.ErrMethodNotAllowed)
	if !unknownRoute && !wrongMethod {
		return fmt.Errorf("the operation %s %s is not in openapi.yaml (%v); add it to the spec", method, path, routeErr)
	}
	var body any
	if err := json.Unmarshal(resp.Body, &body); err != nil {
		return fmt.Errorf("error body is not JSON: %w", err)
	}
	schema := doc.Components.Schemas["Error"]
	if schema == nil || schema.Value == nil {
		return errors.New("openapi.yaml has no components/schemas/Error")
	}
	return schema.Value.VisitJSON(body, openapi3.MultiErrors())
}

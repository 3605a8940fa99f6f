package api

import (
	"net/http"
	"reflect"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"
)

// Ids are UUIDs in canonical form: lower-case hex with hyphens. MySQL's
// collation compares them case-insensitively while Go compares them
// exactly, so an upper-case spelling of an id could reach a row while
// checks in Go (such as "an admin cannot disable their own account") missed
// it. The API accepts only the canonical form, in paths (404) and in JSON
// bodies (422); this file is the one place that checks it.
var canonicalIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// isCanonicalID tells whether s is a UUID in canonical form.
func isCanonicalID(s string) bool { return canonicalIDPattern.MatchString(s) }

// pathIDNotFound is the not-found code for each id path parameter.
var pathIDNotFound = map[string]string{
	"estate_id": "estate_not_found", "household_id": "household_not_found", "round_id": "round_not_found",
	"user_id": "user_not_found", "revision_id": "revision_not_found", "objection_id": "objection_not_found",
	"upload_id": "upload_not_found", "item_id": "moderation_item_not_found", "resident_id": "binding_not_found",
	"survey_id": "survey_not_found",
}

// canonicalPathIDs answers 404 to a request whose id path parameters (names
// ending in _id) are not canonical UUIDs. (Query filters such as ?round_id=
// are left to the service: an unknown value there matches nothing.)
func canonicalPathIDs() gin.HandlerFunc {
	return func(c *gin.Context) {
		for _, p := range c.Params {
			if strings.HasSuffix(p.Key, "_id") && !isCanonicalID(p.Value) {
				abortWith(c, http.StatusNotFound, idNotFoundCode(p.Key), nil, nil)
				return
			}
		}
		c.Next()
	}
}

func idNotFoundCode(param string) string {
	if code, ok := pathIDNotFound[param]; ok {
		return code
	}
	return "not_found"
}

// bodyIDFields are the JSON fields of request bodies that hold ids of
// stored objects (client-made ids such as a sync record's client_id are not
// among them), singly or in lists ("upload_ids").
var bodyIDFields = map[string]bool{
	"estate_id": true, "household_id": true, "round_id": true, "user_id": true, "revision_id": true,
	"upload_id": true, "objection_id": true, "resident_id": true, "item_id": true, "principal_id": true,
	"attachment_id": true,
}

// nonCanonicalID finds the first id field of a decoded request body that is
// set but not a canonical UUID, and returns its JSON name ("" when all are
// canonical). It walks nested structs, pointers, slices and maps.
func nonCanonicalID(v any) string {
	return walkIDs(reflect.ValueOf(v), "")
}

func walkIDs(v reflect.Value, name string) string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ""
		}
		return walkIDs(v.Elem(), name)
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if tag == "-" {
				continue
			}
			if tag == "" {
				tag = f.Name
			}
			if bad := walkIDs(v.Field(i), tag); bad != "" {
				return bad
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if bad := walkIDs(v.Index(i), strings.TrimSuffix(name, "s")); bad != "" {
				if v.Index(i).Kind() == reflect.String {
					return name // a list of ids: name the list
				}
				return bad
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			if bad := walkIDs(iter.Value(), iter.Key().String()); bad != "" {
				return bad
			}
		}
	case reflect.String:
		if bodyIDFields[name] && v.String() != "" && !isCanonicalID(v.String()) {
			return name
		}
	}
	return ""
}

package main

import (
	"os"
	"regexp"
	"testing"
)

// TestReadmeWalkThroughUsernamesAreValid: every account the README's
// walk-through creates must pass the service's username rule, or the
// commands that follow it silently work on a null id (it once used "li").
func TestReadmeWalkThroughUsernamesAreValid(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	valid := regexp.MustCompile(`^[a-zA-Z0-9_.-]{3,64}$`)
	found := regexp.MustCompile(`"username":"([^"]*)"`).FindAllSubmatch(readme, -1)
	if len(found) < 3 {
		t.Fatalf("found %d usernames in the README's walk-through, expected its admin, worker and designer", len(found))
	}
	for _, m := range found {
		if !valid.Match(m[1]) {
			t.Errorf("the README logs in or creates %q, which the service refuses (3 to 64 letters, digits, '_', '.' or '-')", m[1])
		}
	}
}

// TestReadmeWalkThroughSendsJSON: every command of the walk-through that
// sends a body says it is JSON; curl's -d alone sends a form type, which the
// JSON routes answer with 415, so a step would fail and the next ones would
// work on a null id.
func TestReadmeWalkThroughSendsJSON(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	bodies := 0
	joined := regexp.MustCompile(`\\\n\s*`).ReplaceAll(readme, []byte(" ")) // a command continued on the next line is one line
	for _, line := range regexp.MustCompile(`(?m)^.*curl .* -d '.*$`).FindAll(joined, -1) {
		bodies++
		if !regexp.MustCompile(`-H "\$J"`).Match(line) {
			t.Errorf("a walk-through command sends a body without the JSON content type:\n%s", line)
		}
	}
	if bodies < 8 {
		t.Fatalf("found %d commands with a body in the README's walk-through, expected at least 8", bodies)
	}
	if !regexp.MustCompile(`(?m)^J="Content-Type: application/json"`).Match(readme) {
		t.Error("the walk-through does not define J as the JSON content type")
	}
}

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

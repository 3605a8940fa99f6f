// Command skipcheck reads `go test -json` on its standard input, prints the
// tests' output as `go test` would, and fails (exit 1) when any test was
// skipped: in CI every test must run, as MySQL already must
// (MINYI_TEST_REQUIRE_MYSQL). A package without test files is not a skip.
//
//	go test -json ./... | go run ./.ci/skipcheck
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
)

// event is one line of test2json's output.
type event struct {
	Action  string // run, output, pass, fail, skip, build-output, ...
	Package string
	Test    string
	Output  string
}

func main() {
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	var skipped []string
	reasons := map[string]string{}
	passed, failed := 0, 0
	for scanner.Scan() {
		var e event
		if err := json.Unmarshal(scanner.Bytes(), &e); err != nil {
			// Not an event (e.g. a build error printed as text): pass it on.
			fmt.Fprintln(out, scanner.Text())
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "build-output":
			out.WriteString(e.Output)
		case "output":
			out.WriteString(e.Output)
			if e.Test != "" {
				reasons[key] += e.Output
			}
		case "skip":
			if e.Test != "" {
				skipped = append(skipped, key)
			}
		case "pass":
			if e.Test != "" {
				passed++
				delete(reasons, key)
			}
		case "fail":
			if e.Test != "" {
				failed++
			}
		}
		out.Flush()
	}
	if err := scanner.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "skipcheck: reading go test -json:", err)
		os.Exit(2)
	}
	fmt.Fprintf(out, "skipcheck: %d tests passed, %d failed, %d skipped\n", passed, failed, len(skipped))
	out.Flush()
	if len(skipped) > 0 {
		sort.Strings(skipped)
		fmt.Fprintln(os.Stderr, "skipcheck: tests were SKIPPED; in CI every test must run (install what they need in .ci/run):")
		for _, key := range skipped {
			fmt.Fprintf(os.Stderr, "  %s\n%s", key, indent(reasons[key]))
		}
		os.Exit(1)
	}
}

// indent prefixes each line of a test's output for the summary.
func indent(text string) string {
	var b []byte
	start := true
	for i := 0; i < len(text); i++ {
		if start {
			b = append(b, "      "...)
		}
		b = append(b, text[i])
		start = text[i] == '\n'
	}
	return string(b)
}

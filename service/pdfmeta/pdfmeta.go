// Package pdfmeta removes the metadata of a PDF drawing (author, title,
// producer, dates and the XMP packet) before it is stored. It blanks them in
// place with spaces rather than rewriting the file, so every byte offset of
// the cross-reference table stays right and the drawing renders as before.
// A PDF whose information dictionary it cannot reach (kept in a compressed
// object stream) is refused rather than stored with its metadata.
package pdfmeta

import (
	"bytes"
	"errors"
	"regexp"
	"strconv"
)

// ErrUnstrippable reports a PDF whose metadata cannot be blanked in place.
var ErrUnstrippable = errors.New("pdfmeta: the document information is in a compressed object stream")

var (
	infoRef      = regexp.MustCompile(`/Info\s*(\d+)\s+(\d+)\s+R`)
	inlineInfo   = regexp.MustCompile(`/Info\s*<<`)
	metadataType = regexp.MustCompile(`/(?:Type\s*/Metadata|Subtype\s*/XML)(?:[\s/<>\[\]()%]|$)`)
	objHeader    = regexp.MustCompile(`(\d+)\s+(\d+)\s+obj\b`)
)

// Strip returns a copy of the PDF with every document information
// dictionary emptied (the references to it stay, to an empty dictionary)
// and the data of every XMP metadata stream blanked. Errors: ErrUnstrippable.
func Strip(pdf []byte) ([]byte, error) {
	out := append([]byte(nil), pdf...)
	objects := indexObjects(out)
	for _, m := range infoRef.FindAllSubmatchIndex(pdf, -1) {
		key := string(pdf[m[2]:m[3]]) + " " + string(pdf[m[4]:m[5]])
		starts, ok := objects[key]
		if !ok {
			return nil, ErrUnstrippable
		}
		for _, start := range starts {
			blankDictionary(out, start)
		}
	}
	for _, m := range inlineInfo.FindAllIndex(pdf, -1) {
		blankDictionary(out, m[1]-2)
	}
	for _, m := range metadataType.FindAllIndex(pdf, -1) {
		blankStreamAfter(out, m[1])
	}
	return out, nil
}

// indexObjects maps "number generation" to where each definition's body
// starts (a file updated incrementally may define an object more than once).
func indexObjects(pdf []byte) map[string][]int {
	objects := map[string][]int{}
	for _, m := range objHeader.FindAllSubmatchIndex(pdf, -1) {
		if m[0] > 0 && isDigit(pdf[m[0]-1]) {
			continue
		}
		n, _ := strconv.Atoi(string(pdf[m[2]:m[3]]))
		g, _ := strconv.Atoi(string(pdf[m[4]:m[5]]))
		key := strconv.Itoa(n) + " " + strconv.Itoa(g)
		objects[key] = append(objects[key], m[1])
	}
	return objects
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isSpace(b byte) bool {
	return b == ' ' || b == '\n' || b == '\r' || b == '\t' || b == '\f' || b == 0
}

// blankDictionary replaces the inside of the dictionary that starts at or
// after from (after white space) with spaces, keeping "<<" and ">>".
func blankDictionary(pdf []byte, from int) {
	i := from
	for i < len(pdf) && isSpace(pdf[i]) {
		i++
	}
	if i+1 >= len(pdf) || pdf[i] != '<' || pdf[i+1] != '<' {
		return
	}
	end := dictionaryEnd(pdf, i)
	if end < 0 {
		return
	}
	blank(pdf[i+2 : end])
}

// dictionaryEnd finds the ">>" closing the dictionary opened at start,
// skipping nested dictionaries, strings and comments; -1 when unclosed.
func dictionaryEnd(pdf []byte, start int) int {
	depth := 0
	for i := start; i+1 < len(pdf); i++ {
		switch {
		case pdf[i] == '<' && pdf[i+1] == '<':
			depth++
			i++
		case pdf[i] == '>' && pdf[i+1] == '>':
			depth--
			if depth == 0 {
				return i
			}
			i++
		case pdf[i] == '(':
			i = stringEnd(pdf, i)
		case pdf[i] == '<': // hex string
			for i < len(pdf) && pdf[i] != '>' {
				i++
			}
		case pdf[i] == '%':
			for i < len(pdf) && pdf[i] != '\n' && pdf[i] != '\r' {
				i++
			}
		}
	}
	return -1
}

// stringEnd returns the index of the ")" closing the literal string opened at start.
func stringEnd(pdf []byte, start int) int {
	depth := 0
	for i := start; i < len(pdf); i++ {
		switch pdf[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(pdf)
}

// blankStreamAfter blanks the data of the stream whose dictionary contains
// position from: the bytes between "stream" and "endstream".
func blankStreamAfter(pdf []byte, from int) {
	rest := pdf[from:]
	stream := bytes.Index(rest, []byte("stream"))
	if stream < 0 {
		return
	}
	if obj := bytes.Index(rest, []byte("endobj")); obj >= 0 && obj < stream {
		return // an object without a stream
	}
	start := from + stream + len("stream")
	if start < len(pdf) && pdf[start] == '\r' {
		start++
	}
	if start < len(pdf) && pdf[start] == '\n' {
		start++
	}
	end := bytes.Index(pdf[start:], []byte("endstream"))
	if end < 0 {
		return
	}
	blank(pdf[start : start+end])
}

func blank(b []byte) {
	for i := range b {
		if b[i] != '\n' && b[i] != '\r' {
			b[i] = ' '
		}
	}
}

package service

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"minyi/service/imaging"
	"minyi/service/pdfmeta"
)

// Content types accepted for uploads, recognised from the file's first bytes.
const (
	TypeJPEG = imaging.TypeJPEG
	TypePNG  = imaging.TypePNG
	TypeWebP = imaging.TypeWebP
	TypePDF  = "application/pdf"
)

// uploadExtensions gives the stored file's extension for each accepted type.
var uploadExtensions = map[string]string{TypeJPEG: ".jpg", TypePNG: ".png", TypeWebP: ".webp", TypePDF: ".pdf"}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// sniffUploadType recognises a JPEG, PNG, WebP or PDF from its first bytes,
// whatever the client called the file; "" for anything else.
func sniffUploadType(data []byte) string {
	switch {
	case len(data) >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF:
		return TypeJPEG
	case bytes.HasPrefix(data, pngSignature):
		return TypePNG
	case len(data) >= 12 && string(data[0:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return TypeWebP
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return TypePDF
	}
	return ""
}

// cleanUpload returns what is stored of an upload: a picture decoded and
// encoded afresh (upright, without EXIF, XMP, text or a second image; a WebP
// becomes a JPEG or PNG) or a PDF with its document information and XMP
// blanked. It returns the stored content type.
// Errors: validation_failed (file), picture_too_large, pdf_metadata_unremovable.
func cleanUpload(contentType string, data []byte) (string, []byte, error) {
	if contentType == TypePDF {
		clean, err := pdfmeta.Strip(data)
		if err != nil {
			return "", nil, Invalid("pdf_metadata_unremovable", map[string]string{"file": "the PDF keeps its author and title where they cannot be removed; save it again as a plain PDF"})
		}
		return TypePDF, clean, nil
	}
	outType, clean, err := imaging.Reencode(contentType, data)
	switch {
	case errors.Is(err, imaging.ErrTooLarge):
		return "", nil, Invalid("picture_too_large", map[string]string{"file": fmt.Sprintf("at most %d megapixels", imaging.MaxPixels/1_000_000)})
	case err != nil:
		return "", nil, InvalidField("file", "is not a valid "+strings.TrimPrefix(contentType, "image/")+" file")
	}
	return outType, clean, nil
}

package service

import (
	"bytes"
	"encoding/binary"
	"errors"
)

// Content types accepted for uploads, recognised from the file's first bytes.
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypeWebP = "image/webp"
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

// errMalformedImage reports an image whose structure cannot be walked.
var errMalformedImage = errors.New("malformed image")

// stripMetadata removes the metadata that can carry a photo's location
// (EXIF, XMP, text chunks) from JPEG, PNG and WebP files, without
// re-encoding the pixels. Other types are returned unchanged.
func stripMetadata(contentType string, data []byte) ([]byte, error) {
	switch contentType {
	case TypeJPEG:
		return stripJPEGMetadata(data)
	case TypePNG:
		return stripPNGMetadata(data)
	case TypeWebP:
		return stripWebPMetadata(data)
	}
	return data, nil
}

// JPEG markers that carry metadata: APP1 (EXIF, XMP) and APP13 (IPTC).
const (
	jpegAPP1  = 0xE1
	jpegAPP13 = 0xED
	jpegSOS   = 0xDA
	jpegEOI   = 0xD9
)

// stripJPEGMetadata copies a JPEG without its APP1 and APP13 segments. The
// segments before the image data (start of scan) are walked one by one; the
// entropy-coded data after it is copied as is.
func stripJPEGMetadata(data []byte) ([]byte, error) {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return nil, errMalformedImage
	}
	out := make([]byte, 0, len(data))
	out = append(out, 0xFF, 0xD8)
	i := 2
	for {
		if i >= len(data) || data[i] != 0xFF {
			return nil, errMalformedImage
		}
		for i < len(data) && data[i] == 0xFF { // fill bytes
			i++
		}
		if i >= len(data) {
			return nil, errMalformedImage
		}
		marker := data[i]
		i++
		if marker == jpegEOI {
			return append(out, 0xFF, jpegEOI), nil
		}
		if marker == 0x01 || marker >= 0xD0 && marker <= 0xD7 { // markers without a length
			out = append(out, 0xFF, marker)
			continue
		}
		if i+2 > len(data) {
			return nil, errMalformedImage
		}
		length := int(binary.BigEndian.Uint16(data[i:]))
		if length < 2 || i+length > len(data) {
			return nil, errMalformedImage
		}
		if marker == jpegSOS {
			out = append(out, 0xFF, marker)
			return append(out, data[i:]...), nil
		}
		if marker != jpegAPP1 && marker != jpegAPP13 {
			out = append(out, 0xFF, marker)
			out = append(out, data[i:i+length]...)
		}
		i += length
	}
}

// pngMetadataChunks are the PNG chunks dropped: EXIF and text (which holds XMP).
var pngMetadataChunks = map[string]bool{"eXIf": true, "tEXt": true, "iTXt": true, "zTXt": true}

// stripPNGMetadata copies a PNG without its EXIF and text chunks.
func stripPNGMetadata(data []byte) ([]byte, error) {
	out := make([]byte, 0, len(data))
	out = append(out, pngSignature...)
	i := len(pngSignature)
	for i < len(data) {
		if i+8 > len(data) {
			return nil, errMalformedImage
		}
		length := int(binary.BigEndian.Uint32(data[i:]))
		kind := string(data[i+4 : i+8])
		end := i + 12 + length // length, type, data, CRC
		if length < 0 || end > len(data) || end < i {
			return nil, errMalformedImage
		}
		if !pngMetadataChunks[kind] {
			out = append(out, data[i:end]...)
		}
		i = end
		if kind == "IEND" {
			return out, nil
		}
	}
	return nil, errMalformedImage
}

// WebP extended-format flags of the metadata chunks.
const (
	webpFlagEXIF = 0x08
	webpFlagXMP  = 0x04
)

// stripWebPMetadata copies a WebP without its EXIF and XMP chunks, clears
// their flags in the extended header and fixes the RIFF size.
func stripWebPMetadata(data []byte) ([]byte, error) {
	if len(data) < 12 {
		return nil, errMalformedImage
	}
	out := make([]byte, 0, len(data))
	out = append(out, data[:12]...)
	i := 12
	for i < len(data) {
		if i+8 > len(data) {
			return nil, errMalformedImage
		}
		kind := string(data[i : i+4])
		size := int(binary.LittleEndian.Uint32(data[i+4:]))
		end := i + 8 + size + size%2 // chunks are padded to an even size
		if size < 0 || end > len(data) || end < i {
			if end == len(data)+1 && size%2 == 1 { // a missing final pad byte
				end = len(data)
			} else {
				return nil, errMalformedImage
			}
		}
		switch kind {
		case "EXIF", "XMP ":
		case "VP8X":
			start := len(out)
			out = append(out, data[i:end]...)
			if size > 0 {
				out[start+8] &^= webpFlagEXIF | webpFlagXMP
			}
		default:
			out = append(out, data[i:end]...)
		}
		i = end
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out, nil
}

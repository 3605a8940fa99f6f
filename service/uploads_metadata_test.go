package service

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// tinyImage is a 4×4 picture with two colours, so a decoded copy can be compared.
func tinyImage() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for y := 0; y < 4; y++ {
		for x := 0; x < 4; x++ {
			img.Set(x, y, color.RGBA{R: uint8(60 * x), G: 200, B: uint8(60 * y), A: 255})
		}
	}
	return img
}

// exifWithGPS is an APP1 payload that looks like EXIF with a GPS tag.
var exifWithGPS = append([]byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08"), []byte("GPSLatitude 30.5928N 114.3055E")...)

// jpegWithEXIF encodes a tiny JPEG and inserts an APP1 EXIF segment right after SOI.
func jpegWithEXIF(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, tinyImage(), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	plain := buf.Bytes()
	segment := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(segment[2:], uint16(len(exifWithGPS)+2))
	segment = append(segment, exifWithGPS...)
	out := append([]byte{}, plain[:2]...)
	out = append(out, segment...)
	return append(out, plain[2:]...)
}

// pngChunk builds one PNG chunk (the CRC is not checked by the stripper).
func pngChunk(kind string, data []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	out = append(out, kind...)
	out = append(out, data...)
	return append(out, 0, 0, 0, 0)
}

func TestSniffUploadType(t *testing.T) {
	t.Parallel()
	var pngBuf bytes.Buffer
	png.Encode(&pngBuf, tinyImage())
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"jpeg", jpegWithEXIF(t), TypeJPEG},
		{"png", pngBuf.Bytes(), TypePNG},
		{"webp", []byte("RIFF\x10\x00\x00\x00WEBPVP8 \x04\x00\x00\x00abcd"), TypeWebP},
		{"pdf", []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj"), TypePDF},
		{"plain text", []byte("这不是图片 just text"), ""},
		{"html", []byte("<html><script>alert(1)</script>"), ""},
		{"riff but not webp (wav)", []byte("RIFF\x10\x00\x00\x00WAVEfmt "), ""},
		{"empty", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sniffUploadType(tt.data); got != tt.want {
				t.Fatalf("sniffUploadType = %q, want %q", got, tt.want)
			}
		})
	}
}

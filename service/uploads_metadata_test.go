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

func TestStripJPEGMetadataRemovesEXIFAndKeepsThePicture(t *testing.T) {
	withEXIF := jpegWithEXIF(t)
	if !bytes.Contains(withEXIF, []byte("GPSLatitude")) {
		t.Fatal("the test JPEG lacks its EXIF segment")
	}
	stripped, err := stripJPEGMetadata(withEXIF)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(stripped, []byte("Exif")) || bytes.Contains(stripped, []byte("GPSLatitude")) {
		t.Fatal("EXIF survived the stripping")
	}
	if want := len(withEXIF) - len(exifWithGPS) - 4; len(stripped) != want {
		t.Fatalf("stripped size %d, want %d (only the APP1 segment removed)", len(stripped), want)
	}
	before, err := jpeg.Decode(bytes.NewReader(withEXIF))
	if err != nil {
		t.Fatal(err)
	}
	after, err := jpeg.Decode(bytes.NewReader(stripped))
	if err != nil {
		t.Fatalf("the stripped JPEG does not decode: %v", err)
	}
	for y := 0; y < 4; y++ {
		for x := 0; x < 4; x++ {
			if before.At(x, y) != after.At(x, y) {
				t.Fatalf("pixel (%d,%d) changed: %v → %v", x, y, before.At(x, y), after.At(x, y))
			}
		}
	}
}

func TestStripJPEGMetadataRefusesBrokenFiles(t *testing.T) {
	good := jpegWithEXIF(t)
	for name, data := range map[string][]byte{
		"only SOI":            {0xFF, 0xD8, 0xFF},
		"segment too long":    {0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xFF, 0x00},
		"no marker after SOI": {0xFF, 0xD8, 0x00, 0x00},
		"truncated":           good[:30],
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := stripJPEGMetadata(data); err == nil {
				t.Fatal("a broken JPEG was accepted")
			}
		})
	}
}

func TestStripPNGMetadataRemovesEXIFAndText(t *testing.T) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, tinyImage()); err != nil {
		t.Fatal(err)
	}
	plain := buf.Bytes()
	// Insert eXIf and tEXt chunks right after IHDR (8 + 25 bytes).
	ihdrEnd := len(pngSignature) + 25
	var withMeta []byte
	withMeta = append(withMeta, plain[:ihdrEnd]...)
	withMeta = append(withMeta, pngChunk("eXIf", exifWithGPS)...)
	withMeta = append(withMeta, pngChunk("tEXt", []byte("Comment\x00GPSLatitude 30.59"))...)
	withMeta = append(withMeta, plain[ihdrEnd:]...)
	stripped, err := stripPNGMetadata(withMeta)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stripped, plain) {
		t.Fatalf("stripped PNG differs from the original without metadata (%d vs %d bytes)", len(stripped), len(plain))
	}
	if _, err := stripPNGMetadata(plain[:len(plain)-5]); err == nil {
		t.Fatal("a truncated PNG was accepted")
	}
}

func TestStripWebPMetadataRemovesEXIFAndClearsTheFlag(t *testing.T) {
	vp8x := make([]byte, 10)
	vp8x[0] = webpFlagEXIF | webpFlagXMP | 0x10 // 0x10: alpha, kept
	riffChunk := func(kind string, data []byte) []byte {
		out := append([]byte(kind), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
		out = append(out, data...)
		if len(data)%2 == 1 {
			out = append(out, 0)
		}
		return out
	}
	body := append([]byte("WEBP"), riffChunk("VP8X", vp8x)...)
	body = append(body, riffChunk("VP8L", []byte("pixels!"))...)
	body = append(body, riffChunk("EXIF", exifWithGPS)...)
	body = append(body, riffChunk("XMP ", []byte("<x:xmpmeta>GPS</x:xmpmeta>"))...)
	file := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	file = append(file, body...)

	stripped, err := stripWebPMetadata(file)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(stripped, []byte("GPS")) {
		t.Fatal("EXIF or XMP survived")
	}
	if got := binary.LittleEndian.Uint32(stripped[4:]); int(got) != len(stripped)-8 {
		t.Fatalf("RIFF size %d, want %d", got, len(stripped)-8)
	}
	if flags := stripped[20]; flags != 0x10 {
		t.Fatalf("VP8X flags %#x, want 0x10 (EXIF and XMP cleared, alpha kept)", flags)
	}
	if !bytes.Contains(stripped, riffChunk("VP8L", []byte("pixels!"))) {
		t.Fatal("the image chunk was lost")
	}
}

package imaging

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// Quadrant colours of the test picture: which corner ends up where shows
// how a picture was turned.
var (
	red   = color.RGBA{R: 230, G: 20, B: 20, A: 255}
	green = color.RGBA{R: 20, G: 210, B: 30, A: 255}
	blue  = color.RGBA{R: 20, G: 30, B: 220, A: 255}
	white = color.RGBA{R: 245, G: 245, B: 245, A: 255}
)

// quadrants is a 64×32 picture: red top left, green top right, blue bottom
// left, white bottom right.
func quadrants() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 64, 32))
	for y := 0; y < 32; y++ {
		for x := 0; x < 64; x++ {
			c := [2][2]color.RGBA{{red, green}, {blue, white}}[y/16][x/32]
			img.Set(x, y, c)
		}
	}
	return img
}

// exifSegment is an APP1 EXIF segment with an orientation, an artist's name
// and a GPS-looking text, in the given byte order.
type appendOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

func exifSegment(order appendOrder, orientation uint16) []byte {
	name := []byte("Zhang San GPSLatitude 30.5928N\x00")
	tiff := []byte("MM\x00\x2a")
	if order == binary.LittleEndian {
		tiff = []byte("II\x2a\x00")
	}
	tiff = order.AppendUint32(tiff, 8)
	tiff = order.AppendUint16(tiff, 2) // two entries
	tiff = order.AppendUint16(tiff, 0x013B)
	tiff = order.AppendUint16(tiff, 2) // ASCII
	tiff = order.AppendUint32(tiff, uint32(len(name)))
	tiff = order.AppendUint32(tiff, 8+2+2*12+4)
	tiff = order.AppendUint16(tiff, exifOrientationTag)
	tiff = order.AppendUint16(tiff, 3) // SHORT
	tiff = order.AppendUint32(tiff, 1)
	tiff = order.AppendUint16(tiff, orientation)
	tiff = append(tiff, 0, 0)
	tiff = order.AppendUint32(tiff, 0) // no next IFD
	tiff = append(tiff, name...)
	payload := append([]byte("Exif\x00\x00"), tiff...)
	return append(binary.BigEndian.AppendUint16([]byte{0xFF, 0xE1}, uint16(len(payload)+2)), payload...)
}

// withSegments inserts segments right after a JPEG's start-of-image marker.
func withSegments(jpg []byte, segments ...[]byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	for _, s := range segments {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...)
}

func encodeJPEG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// near tells whether two colours are within JPEG's error of each other.
func near(a color.Color, b color.RGBA) bool {
	r, g, bl, _ := a.RGBA()
	d := func(x uint32, y uint8) int { v := int(x>>8) - int(y); return v * v }
	return d(r, b.R)+d(g, b.G)+d(bl, b.B) < 40*40
}

func TestJPEGOrientationIsReadInBothByteOrders(t *testing.T) {
	plain := encodeJPEG(t, quadrants())
	for _, order := range []appendOrder{binary.BigEndian, binary.LittleEndian} {
		for o := uint16(1); o <= 8; o++ {
			if got := jpegOrientation(withSegments(plain, exifSegment(order, o))); got != int(o) {
				t.Fatalf("%v orientation %d read as %d", order, o, got)
			}
		}
	}
	for name, data := range map[string][]byte{
		"no exif":   plain,
		"bad value": withSegments(plain, exifSegment(binary.BigEndian, 9)),
		"truncated": withSegments(plain, exifSegment(binary.BigEndian, 6))[:30],
		"not jpeg":  []byte("hello"),
	} {
		if got := jpegOrientation(data); got != 1 {
			t.Fatalf("%s: orientation %d, want 1", name, got)
		}
	}
}

// TestReencodeTurnsPhotosUpright: for each EXIF orientation the re-encoded
// picture shows the scene upright (the corners land where a viewer honouring
// the tag would show them) and carries no EXIF.
func TestReencodeTurnsPhotosUpright(t *testing.T) {
	plain := encodeJPEG(t, quadrants())
	// Upright corners (top left, top right, bottom left, bottom right) of
	// the stored 64×32 quadrants picture under each orientation.
	want := map[uint16][4]color.RGBA{
		1: {red, green, blue, white},
		2: {green, red, white, blue},
		3: {white, blue, green, red},
		4: {blue, white, red, green},
		5: {red, blue, green, white},
		6: {blue, red, white, green},
		7: {white, green, blue, red},
		8: {green, white, red, blue},
	}
	for o, corners := range want {
		kind, out, err := Reencode(TypeJPEG, withSegments(plain, exifSegment(binary.BigEndian, o)))
		if err != nil || kind != TypeJPEG {
			t.Fatalf("orientation %d: %q, %v", o, kind, err)
		}
		if bytes.Contains(out, []byte("Exif")) || bytes.Contains(out, []byte("Zhang San")) || bytes.Contains(out, []byte("GPS")) {
			t.Fatalf("orientation %d: the re-encoded JPEG still carries the EXIF", o)
		}
		img, err := jpeg.Decode(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		if swapsAxes(int(o)) != (b.Dx() == 32) {
			t.Fatalf("orientation %d: size %v", o, b.Size())
		}
		points := [4]image.Point{{2, 2}, {b.Dx() - 3, 2}, {2, b.Dy() - 3}, {b.Dx() - 3, b.Dy() - 3}}
		for i, p := range points {
			if !near(img.At(p.X, p.Y), corners[i]) {
				t.Fatalf("orientation %d: corner %d is %v, want %v", o, i, img.At(p.X, p.Y), corners[i])
			}
		}
	}
}

// TestReencodeDropsASecondImage: a JPEG carrying another JPEG (a thumbnail
// or an MPF second picture in APP2, with its own EXIF) comes back as one
// fresh picture with none of it.
func TestReencodeDropsASecondImage(t *testing.T) {
	small := image.NewRGBA(image.Rect(0, 0, 8, 8))
	second := withSegments(encodeJPEG(t, small), exifSegment(binary.LittleEndian, 1))
	app2 := append([]byte("MPF\x00"), second...)
	segment := append(binary.BigEndian.AppendUint16([]byte{0xFF, 0xE2}, uint16(len(app2)+2)), app2...)
	photo := withSegments(encodeJPEG(t, quadrants()), exifSegment(binary.BigEndian, 1), segment)
	_, out, err := Reencode(TypeJPEG, photo)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"Exif", "MPF", "Zhang San", "GPSLatitude"} {
		if bytes.Contains(out, []byte(leak)) {
			t.Fatalf("the re-encoded JPEG still holds %q", leak)
		}
	}
	if n := bytes.Count(out, []byte{0xFF, 0xD8}); n != 1 {
		t.Fatalf("the re-encoded JPEG holds %d start-of-image markers", n)
	}
}

// TestReencodePNGDropsTextAndKeepsPixels: text chunks go, pixels stay.
func TestReencodePNGDropsTextAndKeepsPixels(t *testing.T) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, quadrants()); err != nil {
		t.Fatal(err)
	}
	text := []byte("Author\x00Zhang San, Room 302")
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(text)))
	chunk = append(append(chunk, "tEXt"...), text...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	withText := append(append(append([]byte{}, buf.Bytes()[:33]...), chunk...), buf.Bytes()[33:]...)
	kind, out, err := Reencode(TypePNG, withText)
	if err != nil || kind != TypePNG {
		t.Fatalf("%q, %v", kind, err)
	}
	if bytes.Contains(out, []byte("Zhang San")) || bytes.Contains(out, []byte("tEXt")) {
		t.Fatal("the re-encoded PNG still holds its text chunk")
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if !near(img.At(1, 1), red) || !near(img.At(62, 30), white) {
		t.Fatalf("pixels changed: %v %v", img.At(1, 1), img.At(62, 30))
	}
}

// TestReencodeRefusesHugeAndBrokenPictures: a small file claiming a huge
// picture is refused from its header; garbage is malformed.
func TestReencodeRefusesHugeAndBrokenPictures(t *testing.T) {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1)))
	huge := append([]byte{}, buf.Bytes()...)
	binary.BigEndian.PutUint32(huge[16:], 100000) // IHDR width
	binary.BigEndian.PutUint32(huge[20:], 100000) // IHDR height
	binary.BigEndian.PutUint32(huge[29:], crc32.ChecksumIEEE(huge[12:29]))
	if _, _, err := Reencode(TypePNG, huge); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("a 10-gigapixel PNG header: %v, want ErrTooLarge", err)
	}
	if _, _, err := Reencode(TypeJPEG, []byte{0xFF, 0xD8, 0xFF, 0xE1, 0, 4, 1, 2}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("a broken JPEG: %v, want ErrMalformed", err)
	}
	if _, _, err := Reencode("application/pdf", []byte("%PDF-1.4")); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("a PDF: %v, want ErrUnsupported", err)
	}
}

// BenchmarkReencodePhonePhoto re-encodes a 12-megapixel phone photo stored
// sideways (4000×3000, EXIF orientation 6).
func BenchmarkReencodePhonePhoto(b *testing.B) {
	img := image.NewYCbCr(image.Rect(0, 0, 4000, 3000), image.YCbCrSubsampleRatio420)
	for i := range img.Y {
		img.Y[i] = uint8(i * 7)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		b.Fatal(err)
	}
	photo := withSegments(buf.Bytes(), exifSegment(binary.BigEndian, 6))
	b.SetBytes(int64(len(photo)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Reencode(TypeJPEG, photo); err != nil {
			b.Fatal(err)
		}
	}
}

// bitWriter packs bits least significant first, as VP8L wants them.
type bitWriter struct {
	out   []byte
	acc   uint64
	nbits uint
}

func (w *bitWriter) write(value uint64, bits uint) {
	w.acc |= value << w.nbits
	w.nbits += bits
	for w.nbits >= 8 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		w.nbits -= 8
	}
}

func (w *bitWriter) bytes() []byte {
	if w.nbits > 0 {
		return append(w.out, byte(w.acc))
	}
	return w.out
}

// solidWebP is a lossless WebP of one colour: each of its five prefix codes
// is a "simple" code of one symbol, so every pixel takes no bits at all.
func solidWebP(width, height int, c color.NRGBA, alphaUsed bool) []byte {
	w := &bitWriter{}
	w.write(0x2f, 8) // VP8L signature
	w.write(uint64(width-1), 14)
	w.write(uint64(height-1), 14)
	used := uint64(0)
	if alphaUsed {
		used = 1
	}
	w.write(used, 1)
	w.write(0, 3) // version
	w.write(0, 1) // no transform
	w.write(0, 1) // no colour cache
	w.write(0, 1) // no meta prefix codes
	for _, symbol := range []uint8{c.G, c.R, c.B, c.A, 0} {
		w.write(1, 1) // simple code
		w.write(0, 1) // one symbol
		w.write(1, 1) // of 8 bits
		w.write(uint64(symbol), 8)
	}
	data := w.bytes()
	chunk := append([]byte("VP8L"), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	chunk = append(chunk, data...)
	if len(data)%2 == 1 {
		chunk = append(chunk, 0)
	}
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(4+len(chunk)))...)
	return append(append(out, "WEBP"...), chunk...)
}

// TestReencodeWebP: an opaque WebP becomes a JPEG, one with transparency a
// PNG, each with the picture's colour.
func TestReencodeWebP(t *testing.T) {
	orange := color.NRGBA{R: 240, G: 140, B: 20, A: 255}
	kind, out, err := Reencode(TypeWebP, solidWebP(24, 16, orange, false))
	if err != nil || kind != TypeJPEG {
		t.Fatalf("an opaque WebP: %q, %v", kind, err)
	}
	img, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil || img.Bounds().Dx() != 24 || img.Bounds().Dy() != 16 || !near(img.At(12, 8), color.RGBA{R: 240, G: 140, B: 20, A: 255}) {
		t.Fatalf("decoded %v (%v)", img, err)
	}
	glass := color.NRGBA{R: 20, G: 90, B: 200, A: 128}
	kind, out, err = Reencode(TypeWebP, solidWebP(8, 8, glass, true))
	if err != nil || kind != TypePNG {
		t.Fatalf("a transparent WebP: %q, %v", kind, err)
	}
	pic, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if got := color.NRGBAModel.Convert(pic.At(3, 3)).(color.NRGBA); got != glass {
		t.Fatalf("pixel %v, want %v", got, glass)
	}
}

// Package imaging re-encodes uploaded photos: it decodes a JPEG, PNG or WebP,
// turns a JPEG upright as its EXIF orientation says, and encodes the pixels
// afresh with the standard library's encoders, so nothing of the original
// file but its picture survives (EXIF with GPS and names, XMP, thumbnails,
// embedded second images, text chunks).
package imaging

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"runtime"

	"golang.org/x/image/webp"
)

// Content types of the pictures read and written.
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypeWebP = "image/webp"
)

// Limits on what is decoded, checked from the header before any pixel is
// read, so that a small file cannot claim a picture that fills the memory.
const (
	// MaxPixels is the largest picture accepted (50 megapixels, a 50 MP phone photo).
	MaxPixels = 50_000_000
	// MaxDecodedBytes bounds the decoded picture's memory (256 MiB).
	MaxDecodedBytes = 256 << 20
	// JPEGQuality is the quality of re-encoded JPEGs.
	JPEGQuality = 90
)

// Errors of Reencode.
var (
	ErrUnsupported = errors.New("imaging: not a JPEG, PNG or WebP picture")
	ErrMalformed   = errors.New("imaging: the picture cannot be decoded")
	ErrTooLarge    = errors.New("imaging: the picture has too many pixels")
)

// slots bounds how many pictures are decoded at once (one per CPU), so that
// a burst of uploads cannot hold many decoded pictures in memory together.
var slots = make(chan struct{}, max(1, runtime.NumCPU()))

// Reencode decodes a picture of the given content type and encodes it
// afresh, upright and without metadata. JPEGs stay JPEGs and PNGs PNGs; a
// WebP becomes a JPEG (or a PNG when it has transparency), as the standard
// library has no WebP encoder. It returns the new content type and bytes.
func Reencode(contentType string, data []byte) (string, []byte, error) {
	decode, err := decoderFor(contentType)
	if err != nil {
		return "", nil, err
	}
	cfg, err := decodeConfig(contentType, data)
	if err != nil {
		return "", nil, ErrMalformed
	}
	if err := checkSize(cfg); err != nil {
		return "", nil, err
	}
	slots <- struct{}{}
	defer func() { <-slots }()
	img, err := decode(bytes.NewReader(data))
	if err != nil {
		return "", nil, ErrMalformed
	}
	if contentType == TypeJPEG {
		img = upright(img, jpegOrientation(data))
	}
	outType := contentType
	if contentType == TypeWebP {
		outType = TypeJPEG
		if !opaque(img) {
			outType = TypePNG
		}
	}
	var out bytes.Buffer
	if outType == TypeJPEG {
		err = jpeg.Encode(&out, img, &jpeg.Options{Quality: JPEGQuality})
	} else {
		err = (&png.Encoder{CompressionLevel: png.DefaultCompression}).Encode(&out, img)
	}
	if err != nil {
		return "", nil, ErrMalformed
	}
	return outType, out.Bytes(), nil
}

func decoderFor(contentType string) (func(r *bytes.Reader) (image.Image, error), error) {
	switch contentType {
	case TypeJPEG:
		return func(r *bytes.Reader) (image.Image, error) { return jpeg.Decode(r) }, nil
	case TypePNG:
		return func(r *bytes.Reader) (image.Image, error) { return png.Decode(r) }, nil
	case TypeWebP:
		return func(r *bytes.Reader) (image.Image, error) { return webp.Decode(r) }, nil
	}
	return nil, ErrUnsupported
}

func decodeConfig(contentType string, data []byte) (image.Config, error) {
	r := bytes.NewReader(data)
	switch contentType {
	case TypeJPEG:
		return jpeg.DecodeConfig(r)
	case TypePNG:
		return png.DecodeConfig(r)
	}
	return webp.DecodeConfig(r)
}

// checkSize refuses a picture whose pixels, or their memory once decoded,
// are over the limits.
func checkSize(cfg image.Config) error {
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return ErrMalformed
	}
	pixels := int64(cfg.Width) * int64(cfg.Height)
	if pixels > MaxPixels || pixels*bytesPerPixel(cfg.ColorModel) > MaxDecodedBytes {
		return ErrTooLarge
	}
	return nil
}

// bytesPerPixel is an upper bound of a decoded pixel's size in a colour model.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel:
		return 1
	case color.Gray16Model:
		return 2
	case color.YCbCrModel:
		return 3
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 4
}

// opaque tells whether a picture has no transparent pixel.
func opaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return false
}

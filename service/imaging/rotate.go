package imaging

import (
	"image"
	"image/draw"
)

// sourcePoint maps a pixel (x, y) of the upright picture to the pixel of a
// w×h source stored with the given EXIF orientation.
func sourcePoint(orientation, x, y, w, h int) (int, int) {
	switch orientation {
	case 2: // mirrored
		return w - 1 - x, y
	case 3: // upside down
		return w - 1 - x, h - 1 - y
	case 4: // mirrored upside down
		return x, h - 1 - y
	case 5: // transposed
		return y, x
	case 6: // turned left: rotate 90° clockwise
		return y, h - 1 - x
	case 7: // transversed
		return w - 1 - y, h - 1 - x
	case 8: // turned right: rotate 90° anticlockwise
		return w - 1 - y, x
	}
	return x, y
}

// swapsAxes tells whether the orientation exchanges width and height.
func swapsAxes(orientation int) bool { return orientation >= 5 && orientation <= 8 }

// upright returns the picture turned as its EXIF orientation says, so that
// it shows upright without the tag. YCbCr and grey pictures (what JPEG
// decodes to) are turned plane by plane, others pixel by pixel.
func upright(img image.Image, orientation int) image.Image {
	if orientation < 2 || orientation > 8 {
		return img
	}
	switch src := img.(type) {
	case *image.YCbCr:
		if out := uprightYCbCr(src, orientation); out != nil {
			return out
		}
	case *image.Gray:
		b := src.Bounds()
		dw, dh := orientedSize(b.Dx(), b.Dy(), orientation)
		out := image.NewGray(image.Rect(0, 0, dw, dh))
		turnPlane(out.Pix, out.Stride, src.Pix[src.PixOffset(b.Min.X, b.Min.Y):], src.Stride, b.Dx(), b.Dy(), orientation)
		return out
	}
	return uprightAnyImage(img, orientation)
}

func orientedSize(w, h, orientation int) (int, int) {
	if swapsAxes(orientation) {
		return h, w
	}
	return w, h
}

// rotatedRatio is the chroma subsampling of a YCbCr picture after its axes
// are swapped; false when there is no such ratio in the image package.
func rotatedRatio(r image.YCbCrSubsampleRatio) (image.YCbCrSubsampleRatio, bool) {
	switch r {
	case image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio420:
		return r, true
	case image.YCbCrSubsampleRatio422:
		return image.YCbCrSubsampleRatio440, true
	case image.YCbCrSubsampleRatio440:
		return image.YCbCrSubsampleRatio422, true
	}
	return r, false
}

// uprightYCbCr turns the three planes of a YCbCr picture; nil when its
// subsampling has no turned equivalent.
func uprightYCbCr(src *image.YCbCr, orientation int) *image.YCbCr {
	ratio := src.SubsampleRatio
	if swapsAxes(orientation) {
		var ok bool
		if ratio, ok = rotatedRatio(ratio); !ok {
			return nil
		}
	}
	b := src.Bounds()
	if b.Min != (image.Point{}) {
		return nil
	}
	dw, dh := orientedSize(b.Dx(), b.Dy(), orientation)
	out := image.NewYCbCr(image.Rect(0, 0, dw, dh), ratio)
	turnPlane(out.Y, out.YStride, src.Y, src.YStride, b.Dx(), b.Dy(), orientation)
	cw, ch := chromaSize(src)
	if ow, oh := orientedSize(cw, ch, orientation); ow*oh > len(out.Cb) || ow > out.CStride {
		return nil
	}
	turnPlane(out.Cb, out.CStride, src.Cb, src.CStride, cw, ch, orientation)
	turnPlane(out.Cr, out.CStride, src.Cr, src.CStride, cw, ch, orientation)
	return out
}

// chromaSize is the size of the chroma planes of a YCbCr picture at the origin.
func chromaSize(img *image.YCbCr) (int, int) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	switch img.SubsampleRatio {
	case image.YCbCrSubsampleRatio422:
		return (w + 1) / 2, h
	case image.YCbCrSubsampleRatio420:
		return (w + 1) / 2, (h + 1) / 2
	case image.YCbCrSubsampleRatio440:
		return w, (h + 1) / 2
	}
	return w, h
}

// turnPlane writes into dst the w×h plane src (one byte a sample) turned
// as the orientation says.
func turnPlane(dst []byte, dstStride int, src []byte, srcStride, w, h, orientation int) {
	dw, dh := orientedSize(w, h, orientation)
	for y := 0; y < dh; y++ {
		row := dst[y*dstStride : y*dstStride+dw]
		for x := range row {
			sx, sy := sourcePoint(orientation, x, y, w, h)
			row[x] = src[sy*srcStride+sx]
		}
	}
}

// uprightAnyImage turns any picture pixel by pixel into an RGBA copy (CMYK
// JPEGs and other rare kinds).
func uprightAnyImage(img image.Image, orientation int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	flat := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(flat, flat.Rect, img, b.Min, draw.Src)
	dw, dh := orientedSize(w, h, orientation)
	out := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < dh; y++ {
		for x := 0; x < dw; x++ {
			sx, sy := sourcePoint(orientation, x, y, w, h)
			copy(out.Pix[y*out.Stride+4*x:y*out.Stride+4*x+4], flat.Pix[sy*flat.Stride+4*sx:])
		}
	}
	return out
}

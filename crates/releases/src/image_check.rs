//! An uploaded image: JPEG, PNG or WebP by its bytes (never its name or declared type), at
//! most 5 MB, 200 to 8000 pixels a side, decoded fully and re-encoded.
//!
//! Re-encoding writes pixels only: EXIF (GPS position, camera serial), XMP, ICC profiles and
//! comments are gone, and anything hidden after the image data too. The EXIF orientation is
//! applied to the pixels first, so a phone photo stays the right way up.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;
pub const MIN_DIMENSION: u32 = 200;
pub const MAX_DIMENSION: u32 = 8000;
const JPEG_QUALITY: u8 = 88;
/// Decoding an 8000×8000 RGBA image needs 256 MB; nothing larger is allowed.
const MAX_DECODE_BYTES: u64 = 8000 * 8000 * 4 + 16 * 1024 * 1024;

/// A checked image: what to store and what it is.
#[derive(Clone, PartialEq, Eq)]
pub struct CheckedImage {
    /// `image/jpeg`, `image/png` or `image/webp`: what the bytes are.
    pub content_type: &'static str,
    /// The file extension that goes with it (`jpg`, `png`, `webp`).
    pub extension: &'static str,
    pub width: u32,
    pub height: u32,
    /// Re-encoded, without metadata.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for CheckedImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckedImage")
            .field("content_type", &self.content_type)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// Why an upload was refused; the `Display` text is for the person who uploaded it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImageError {
    #[error("The image is empty: choose the file again.")]
    Empty,
    #[error(
        "The image is {size_mb:.1} MB; the limit is 5 MB. Save it smaller and choose it again."
    )]
    TooLarge { size_mb: f64 },
    #[error(
        "This file is not a JPEG, PNG or WebP image (whatever its name says): choose a photo in one of those formats."
    )]
    NotAnImage,
    #[error(
        "The image is {width}×{height} pixels; it must be {MIN_DIMENSION} to {MAX_DIMENSION} pixels on each side."
    )]
    Dimensions { width: u32, height: u32 },
    #[error(
        "The image could not be read ({reason}): it may be damaged. Save it again and choose it again."
    )]
    Damaged { reason: String },
    #[error("The image could not be prepared for publication ({reason}).")]
    Encode { reason: String },
}

/// Checks an upload and re-encodes it. `declared_type` (what the browser said) is ignored on
/// purpose: the bytes decide, so a script named `photo.jpg` sent as `image/jpeg` is refused.
pub fn check_image(bytes: &[u8], declared_type: Option<&str>) -> Result<CheckedImage, ImageError> {
    let _ = declared_type;
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(ImageError::TooLarge {
            size_mb: bytes.len() as f64 / (1024.0 * 1024.0),
        });
    }
    let format = sniff(bytes).ok_or(ImageError::NotAnImage)?;
    let damaged = |e: image::ImageError| ImageError::Damaged {
        reason: e.to_string(),
    };

    // Dimensions from the header first: a decompression bomb is refused before decoding.
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let decoder = reader.into_decoder().map_err(damaged)?;
    let (width, height) = decoder.dimensions();
    if !(MIN_DIMENSION..=MAX_DIMENSION).contains(&width)
        || !(MIN_DIMENSION..=MAX_DIMENSION).contains(&height)
    {
        return Err(ImageError::Dimensions { width, height });
    }
    let mut decoder = decoder;
    let orientation = decoder.orientation().ok();
    let mut picture = DynamicImage::from_decoder(decoder).map_err(damaged)?;
    if let Some(orientation) = orientation {
        picture.apply_orientation(orientation);
    }

    let encode = |e: image::ImageError| ImageError::Encode {
        reason: e.to_string(),
    };
    let mut out = Vec::with_capacity(bytes.len());
    let (content_type, extension) = match format {
        ImageFormat::Png => {
            picture
                .write_with_encoder(PngEncoder::new(&mut out))
                .map_err(encode)?;
            ("image/png", "png")
        }
        ImageFormat::WebP => {
            let picture = if picture.color().has_alpha() {
                DynamicImage::ImageRgba8(picture.to_rgba8())
            } else {
                DynamicImage::ImageRgb8(picture.to_rgb8())
            };
            picture
                .write_with_encoder(WebPEncoder::new_lossless(&mut out))
                .map_err(encode)?;
            ("image/webp", "webp")
        }
        _ => {
            let picture = DynamicImage::ImageRgb8(picture.to_rgb8());
            picture
                .write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY))
                .map_err(encode)?;
            ("image/jpeg", "jpg")
        }
    };
    Ok(CheckedImage {
        content_type,
        extension,
        width: picture.width(),
        height: picture.height(),
        bytes: out,
    })
}

/// The format the bytes are, by their magic numbers.
fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP".as_slice()) {
        Some(ImageFormat::WebP)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    fn picture(w: u32, h: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        }))
    }

    fn encoded(w: u32, h: u32, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        picture(w, h).write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    /// An APP1 Exif segment with a GPS IFD (latitude ref "N", latitude 28/1 0/1 0/1).
    fn gps_exif() -> Vec<u8> {
        let mut tiff: Vec<u8> = Vec::new();
        tiff.extend_from_slice(b"II*\0");
        tiff.extend_from_slice(&8u32.to_le_bytes());
        // IFD0: one entry, GPSInfo (0x8825, LONG) → offset 26.
        tiff.extend_from_slice(&1u16.to_le_bytes());
        tiff.extend_from_slice(&0x8825u16.to_le_bytes());
        tiff.extend_from_slice(&4u16.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&26u32.to_le_bytes());
        tiff.extend_from_slice(&0u32.to_le_bytes());
        // GPS IFD at 26: GPSLatitudeRef "N", GPSLatitude (RATIONAL ×3) at offset 56.
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend_from_slice(&1u16.to_le_bytes());
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend_from_slice(&2u32.to_le_bytes());
        tiff.extend_from_slice(b"N\0\0\0");
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend_from_slice(&5u16.to_le_bytes());
        tiff.extend_from_slice(&3u32.to_le_bytes());
        tiff.extend_from_slice(&56u32.to_le_bytes());
        tiff.extend_from_slice(&0u32.to_le_bytes());
        for (n, d) in [(28u32, 1u32), (0, 1), (0, 1)] {
            tiff.extend_from_slice(&n.to_le_bytes());
            tiff.extend_from_slice(&d.to_le_bytes());
        }
        let mut payload = b"Exif\0\0".to_vec();
        payload.extend_from_slice(&tiff);
        let mut segment = vec![0xFF, 0xE1];
        segment.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        segment.extend_from_slice(&payload);
        segment
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn a_jpeg_with_gps_exif_comes_out_without_it() {
        let plain = encoded(320, 240, ImageFormat::Jpeg);
        let mut with_gps = plain[..2].to_vec();
        with_gps.extend_from_slice(&gps_exif());
        with_gps.extend_from_slice(&plain[2..]);
        // The fixture really carries GPS data the decoder sees.
        assert!(contains(&with_gps, b"Exif\0\0"));
        let checked = check_image(&with_gps, Some("image/jpeg")).unwrap();
        assert_eq!(checked.content_type, "image/jpeg");
        assert_eq!((checked.width, checked.height), (320, 240));
        assert!(
            !contains(&checked.bytes, b"Exif"),
            "EXIF left in the output"
        );
        assert!(
            !contains(&checked.bytes, &[0xFF, 0xE1]),
            "an APP1 segment is left"
        );
        // And it is still a good JPEG.
        assert!(check_image(&checked.bytes, None).is_ok());
    }

    #[test]
    fn png_and_webp_are_accepted_by_their_bytes() {
        let png = check_image(&encoded(300, 200, ImageFormat::Png), Some("image/jpeg")).unwrap();
        assert_eq!((png.content_type, png.extension), ("image/png", "png"));
        let webp = check_image(&encoded(300, 200, ImageFormat::WebP), None).unwrap();
        assert_eq!((webp.content_type, webp.width), ("image/webp", 300));
    }

    #[test]
    fn other_bytes_are_refused_whatever_they_claim() {
        assert_eq!(
            check_image(b"GIF89a....", Some("image/jpeg")),
            Err(ImageError::NotAnImage)
        );
        assert_eq!(
            check_image(
                b"<svg xmlns='http://www.w3.org/2000/svg'/>",
                Some("image/png")
            ),
            Err(ImageError::NotAnImage)
        );
        assert_eq!(check_image(b"", None), Err(ImageError::Empty));
        let gif = encoded_gif_like();
        assert_eq!(
            check_image(&gif, Some("image/jpeg")),
            Err(ImageError::NotAnImage)
        );
    }

    fn encoded_gif_like() -> Vec<u8> {
        b"%PDF-1.4 not a photo".to_vec()
    }

    #[test]
    fn sizes_and_dimensions() {
        assert!(matches!(
            check_image(&encoded(199, 300, ImageFormat::Png), None),
            Err(ImageError::Dimensions {
                width: 199,
                height: 300
            })
        ));
        assert!(check_image(&encoded(200, 200, ImageFormat::Png), None).is_ok());
        let mut big = vec![0xFF, 0xD8, 0xFF];
        big.resize(MAX_IMAGE_BYTES + 1, 0);
        assert!(matches!(
            check_image(&big, None),
            Err(ImageError::TooLarge { .. })
        ));
        let message = check_image(&big, None).unwrap_err().to_string();
        assert!(message.contains("5 MB"), "{message}");
    }

    #[test]
    fn a_truncated_image_is_damaged() {
        // (JPEG decoders fill a cut-off scan with grey; PNG's checksums notice.)
        let png = encoded(300, 300, ImageFormat::Png);
        let cut = &png[..png.len() / 3];
        assert!(matches!(
            check_image(cut, None),
            Err(ImageError::Damaged { .. })
        ));
    }
}

//! Raw camera frames (NV21, RGBA) as an app's camera hands them over: the C layout and
//! its conversion, for the face template and liveness calls that take one.

use crate::{CertifyStatus, bridge, bytes_arg};

/// Layout of a raw camera frame.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertifyFrameFormat {
    /// Android's camera default: the Y plane (`stride` bytes per row), then interleaved V/U
    /// at half resolution.
    Nv21 = 0,
    /// 4 bytes per pixel, R G B A (`stride` bytes per row).
    Rgba = 1,
}

/// A raw camera frame.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct CertifyCameraFrame {
    /// The pixels.
    pub data: *const u8,
    /// Bytes readable at `data`.
    pub len: usize,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Bytes per row (of the Y plane for NV21).
    pub stride: u32,
    /// The layout (a `CertifyFrameFormat` value).
    pub format: u32,
    /// Clockwise degrees that make the frame upright: 0, 90, 180 or 270.
    pub rotation_degrees: u32,
}

/// Read a frame description.
///
/// # Safety
/// `frame` NULL or valid for reads; its `data` readable for `len` bytes.
pub(crate) unsafe fn frame_arg<'a>(frame: *const CertifyCameraFrame) -> Result<bridge::CameraFrame<'a>, CertifyStatus> {
    // SAFETY: NULL-checked; validity is the caller's contract.
    let f = unsafe { frame.as_ref() }.ok_or(CertifyStatus::NullArgument)?;
    // SAFETY: `data` readable for `len` bytes per the contract.
    let data = unsafe { bytes_arg(f.data, f.len) }?;
    let format = match f.format {
        x if x == CertifyFrameFormat::Nv21 as u32 => "nv21",
        x if x == CertifyFrameFormat::Rgba as u32 => "rgba",
        _ => return Err(CertifyStatus::InvalidArgument),
    };
    Ok(bridge::CameraFrame {
        data,
        width: f.width,
        height: f.height,
        stride: f.stride,
        format,
        rotation_degrees: f.rotation_degrees,
    })
}

//! The enrollment review against an authoritative reference portrait (the card photo
//! store, the police photo check, a counter photo): what the server and every binding run
//! on an enrollment upload, so the rule is written once.

use crate::engine::{EnrollmentReview, FaceEngine, FaceError};
use crate::image_io::RgbImage;
use certify_core::biometric::ReviewIssue;

/// An enrollment review with the live face also compared with the authority's portrait.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferencedReview {
    /// The automatic review; [`ReviewIssue::FaceMismatch`] added when the live face does not
    /// match the reference portrait, and then no template.
    pub review: EnrollmentReview,
    /// Live face vs the reference portrait, when a portrait was given and held a usable face.
    pub reference_distance: Option<f32>,
    /// Whether a reference portrait was given at all (without one, a host holds a passing
    /// upload for staff: the client's own card photo is not enough).
    pub had_reference: bool,
}

impl FaceEngine {
    /// Review an enrollment upload ([`FaceEngine::review_enrollment`]) and, when the host
    /// has the authority's `reference` portrait, require the live face to match it at the
    /// portrait threshold: a client can photograph anyone's card, not the authority's
    /// photo. A reference portrait with no usable face counts as a mismatch (the upload
    /// goes to staff rather than through).
    pub fn review_enrollment_with_reference(
        &self,
        card_front: &RgbImage,
        card_back: &RgbImage,
        selfie: &RgbImage,
        reference: Option<&RgbImage>,
    ) -> Result<ReferencedReview, FaceError> {
        let mut review = self.review_enrollment(card_front, card_back, selfie)?;
        let reference_distance = match (reference, &review.template) {
            (Some(p), Some(live)) => self.compare_with_portrait(live, p).ok().map(|c| c.distance),
            _ => None,
        };
        let matched = reference_distance.is_some_and(|d| d < self.config().portrait_match_threshold);
        if reference.is_some() && review.template.is_some() && !matched {
            if !review.issues.contains(&ReviewIssue::FaceMismatch) {
                review.issues.push(ReviewIssue::FaceMismatch);
            }
            review.template = None;
        }
        Ok(ReferencedReview {
            review,
            reference_distance,
            had_reference: reference.is_some(),
        })
    }
}

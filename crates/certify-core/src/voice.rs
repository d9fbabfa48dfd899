//! Voiceprint prompts (声纹, seed 000 §一.(二)): enrollment reads 5 random digit strings,
//! which together contain every digit at least 3 times (so each digit has references
//! for the spoken-digit check); certification reads a new random string that is never an
//! enrollment string, so a replayed enrollment recording cannot pass (JR/T 0164-2018
//! requires dynamic prompts).

use rand_core::{CryptoRng, RngCore};

/// Digits per prompt.
pub const PROMPT_DIGITS: usize = 8;
/// Prompts read at enrollment.
pub const ENROLLMENT_PROMPTS: usize = 5;
/// Times every digit appears across the enrollment prompts, at least.
pub const MIN_DIGIT_REPEATS: usize = 3;

fn uniform<R: RngCore + CryptoRng>(rng: &mut R, n: u32) -> u32 {
    let limit = u32::MAX - u32::MAX % n;
    loop {
        let v = rng.next_u32();
        if v < limit {
            return v % n;
        }
    }
}

/// Draw the 5 enrollment prompts of 8 digits: each digit 3 times plus 10 random digits,
/// shuffled.
pub fn enrollment_prompts<R: RngCore + CryptoRng>(rng: &mut R) -> Vec<String> {
    let mut digits: Vec<u8> = (0..10u8)
        .flat_map(|d| std::iter::repeat_n(d, MIN_DIGIT_REPEATS))
        .collect();
    while digits.len() < ENROLLMENT_PROMPTS * PROMPT_DIGITS {
        digits.push(uniform(rng, 10) as u8);
    }
    for i in (1..digits.len()).rev() {
        let j = uniform(rng, i as u32 + 1) as usize;
        digits.swap(i, j);
    }
    digits
        .chunks(PROMPT_DIGITS)
        .map(|c| c.iter().map(|d| char::from(b'0' + d)).collect())
        .collect()
}

/// Draw a certification prompt that differs from every enrollment prompt.
pub fn verification_prompt<R: RngCore + CryptoRng>(rng: &mut R, enrollment: &[String]) -> String {
    loop {
        let p: String = (0..PROMPT_DIGITS)
            .map(|_| char::from(b'0' + uniform(rng, 10) as u8))
            .collect();
        if !enrollment.contains(&p) {
            return p;
        }
    }
}

/// Whether `prompt` is a well-formed prompt (8 ASCII digits).
pub fn is_prompt(prompt: &str) -> bool {
    prompt.len() == PROMPT_DIGITS && prompt.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    proptest! {
        // Every draw: 5 prompts of 8 digits, every digit at least 3 times, and the
        // verification prompt is none of them.
        #[test]
        fn prompts_cover_every_digit(seed in any::<u64>()) {
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            let p = enrollment_prompts(&mut rng);
            prop_assert_eq!(p.len(), ENROLLMENT_PROMPTS);
            prop_assert!(p.iter().all(|s| is_prompt(s)));
            for d in b'0'..=b'9' {
                let n = p.iter().flat_map(|s| s.bytes()).filter(|&b| b == d).count();
                prop_assert!(n >= MIN_DIGIT_REPEATS, "digit {} appears {} times", d as char, n);
            }
            let v = verification_prompt(&mut rng, &p);
            prop_assert!(is_prompt(&v) && !p.contains(&v));
        }
    }

    #[test]
    fn prompts_vary() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let a = enrollment_prompts(&mut rng);
        let b = enrollment_prompts(&mut rng);
        assert_ne!(a, b);
        assert!(!is_prompt("1234567"));
        assert!(!is_prompt("1234567a"));
    }
}

//! What a pensioner is told when a liveness run fails, Chinese first, in words an elderly
//! person can act on, with an English rendering for logs and developers.

use super::{Action, LivenessEvent};

/// The event's snake_case name, as serialised in its `event` member.
pub fn name(event: &LivenessEvent) -> &'static str {
    match event {
        LivenessEvent::InProgress { .. } => "in_progress",
        LivenessEvent::FaceMissing => "face_missing",
        LivenessEvent::ActionDone { .. } => "action_done",
        LivenessEvent::Passed => "passed",
        failure => reason(failure).unwrap_or("failed"),
    }
}

/// A stable reason code for a failing event (`None` for events that do not end a run).
pub fn reason(event: &LivenessEvent) -> Option<&'static str> {
    Some(match event {
        LivenessEvent::FaceLost => "face_lost",
        LivenessEvent::WrongAction { .. } => "wrong_action",
        LivenessEvent::TimedOut { .. } => "timed_out",
        LivenessEvent::Discontinuous { .. } => "discontinuous",
        LivenessEvent::FrameGap { .. } => "frame_gap",
        LivenessEvent::Frozen => "frozen",
        LivenessEvent::FlatFace => "flat_face",
        LivenessEvent::TooFewFrames { .. } => "too_few_frames",
        LivenessEvent::RunExpired => "run_expired",
        LivenessEvent::NoSignOfLife => "no_sign_of_life",
        _ => return None,
    })
}

/// Chinese advice for a failing event, or the prompt for a running one.
pub fn advice_zh(event: &LivenessEvent) -> String {
    match event {
        LivenessEvent::InProgress { current: Some(a) } => a.prompt().to_owned(),
        LivenessEvent::InProgress { current: None } => "请正对手机，保持脸在框内".to_owned(),
        LivenessEvent::FaceMissing => "没有看到您的脸，请把脸放在框内".to_owned(),
        LivenessEvent::FaceLost => "脸离开画面太久，请重新开始，保持脸在框内".to_owned(),
        LivenessEvent::WrongAction { expected, .. } => {
            format!("动作不对，请重新开始，按提示{}", action_zh(*expected))
        }
        LivenessEvent::ActionDone { next: Some(n), .. } => format!("很好，下一步：{}", n.prompt()),
        LivenessEvent::ActionDone { next: None, .. } | LivenessEvent::Passed => "完成".to_owned(),
        LivenessEvent::TimedOut { action } => {
            format!(
                "没有在规定时间内{}，请重新开始，动作慢一点、幅度大一点",
                action_zh(*action)
            )
        }
        LivenessEvent::Discontinuous { .. } => "画面不连续，请重新开始，拿稳手机，保持脸在框内，慢慢转头".to_owned(),
        LivenessEvent::FrameGap { .. } => "网络太慢，画面中断，请到信号好的地方重新开始".to_owned(),
        LivenessEvent::Frozen => "画面没有变化，请用手机摄像头现场拍摄，不要使用照片或录像".to_owned(),
        LivenessEvent::FlatFace => "检测到照片或屏幕，请本人面对摄像头现场认证".to_owned(),
        LivenessEvent::TooFewFrames { .. } => "拍摄时间太短，请重新开始，保持脸在框内直到完成".to_owned(),
        LivenessEvent::RunExpired => "认证超时，请重新开始".to_owned(),
        LivenessEvent::NoSignOfLife => {
            "没有检测到自然眨眼，请重新开始，正常眨眼看着手机几秒；仍不通过可请工作人员上门认证".to_owned()
        }
    }
}

/// English advice (for developers and logs; never the only text a pensioner sees).
pub fn advice_en(event: &LivenessEvent) -> String {
    match event {
        LivenessEvent::InProgress { current: Some(a) } => a.prompt_en().to_owned(),
        LivenessEvent::InProgress { current: None } => "face the phone and keep your face in the frame".to_owned(),
        LivenessEvent::FaceMissing => "no face seen: put your face in the frame".to_owned(),
        LivenessEvent::FaceLost => "the face left the picture too long: start again".to_owned(),
        LivenessEvent::WrongAction { expected, .. } => {
            format!("wrong action: start again and {}", expected.prompt_en())
        }
        LivenessEvent::ActionDone { next: Some(n), .. } => format!("good; next: {}", n.prompt_en()),
        LivenessEvent::ActionDone { next: None, .. } | LivenessEvent::Passed => "done".to_owned(),
        LivenessEvent::TimedOut { action } => format!(
            "not done in time ({}): start again, slower and wider",
            action.prompt_en()
        ),
        LivenessEvent::Discontinuous { what } => {
            format!("the picture jumped ({what:?}): hold the phone steady and turn slowly")
        }
        LivenessEvent::FrameGap { gap_ms } => format!("{gap_ms} ms without a frame: find a better connection"),
        LivenessEvent::Frozen => "identical frames: use the live camera, not a photo or a recording".to_owned(),
        LivenessEvent::FlatFace => "the face moved like a flat picture: photo or screen suspected".to_owned(),
        LivenessEvent::TooFewFrames { frames, fps_tenths } => {
            format!(
                "too few frames ({frames}, {:.1}/s): keep filming until done",
                f64::from(*fps_tenths) / 10.0
            )
        }
        LivenessEvent::RunExpired => "the run took too long: start again".to_owned(),
        LivenessEvent::NoSignOfLife => "no natural blink seen: look at the phone and blink normally".to_owned(),
    }
}

fn action_zh(a: Action) -> &'static str {
    match a {
        Action::ShakeHead => "左右摇头",
        Action::OpenMouth => "张嘴",
        Action::Blink => "眨眼",
        Action::Nod => "点头",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::liveness::continuity::Discontinuity;

    #[test]
    fn every_event_is_named_as_it_is_serialised() {
        let events = [
            LivenessEvent::InProgress { current: None },
            LivenessEvent::InProgress {
                current: Some(Action::Nod),
            },
            LivenessEvent::FaceMissing,
            LivenessEvent::FaceLost,
            LivenessEvent::WrongAction {
                expected: Action::Blink,
                performed: Action::Nod,
            },
            LivenessEvent::ActionDone {
                action: Action::Blink,
                next: None,
            },
            LivenessEvent::Passed,
            LivenessEvent::TimedOut {
                action: Action::OpenMouth,
            },
            LivenessEvent::Discontinuous {
                what: Discontinuity::Pose,
            },
            LivenessEvent::FrameGap { gap_ms: 1200 },
            LivenessEvent::Frozen,
            LivenessEvent::FlatFace,
            LivenessEvent::TooFewFrames {
                frames: 3,
                fps_tenths: 10,
            },
            LivenessEvent::RunExpired,
            LivenessEvent::NoSignOfLife,
        ];
        for event in &events {
            let json = serde_json::to_value(event).expect("json");
            assert_eq!(json["event"], name(event), "{event:?}");
            assert_eq!(reason(event).is_some(), event.is_failure());
        }
    }
}

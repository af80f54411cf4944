//! When the TUI may draw its next frame: a lone change (an event after a quiet spell, a key)
//! at once, a flood about 30 times a second, and never back to back when drawing is slow (a big
//! terminal, a slow ssh link), so that input and the change stream are read between frames.

use std::time::Duration;

use tokio::time::Instant;

/// Time between two frames under a flood of changes (about 30 a second).
pub const FRAME: Duration = Duration::from_millis(33);

/// The frame schedule: at most one frame a [`FRAME`] on average, with one frame of slack so
/// that a lone change is drawn at once even right after another lone frame (the clock's
/// tick); and after each frame a pause at least as long as drawing it took.
pub struct Pace {
    /// The earliest time the next frame may be drawn.
    next: Instant,
}

impl Pace {
    /// Nothing drawn yet: as after a quiet spell, so the first frames follow the one rule of
    /// [`Pace::drawn`] like any other.
    pub fn new(now: Instant) -> Pace {
        Pace {
            next: now.checked_sub(FRAME).unwrap_or(now),
        }
    }

    /// The earliest time the next frame may be drawn.
    pub fn next(&self) -> Instant {
        self.next
    }

    /// A frame drawn from `start` to `end`: the schedule moves one [`FRAME`] on, from where it
    /// was or from the frame's start, whichever is later (after a quiet spell it lay in the
    /// past; under a flood it runs ahead of the clock); and the next frame waits at least as
    /// long as this one took.
    pub fn drawn(&mut self, start: Instant, end: Instant) {
        let took = end.saturating_duration_since(start);
        self.next = (self.next + FRAME).max(start).max(end + took);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    /// A flood: a change is always waiting, so each frame is drawn as soon as the pace lets
    /// it, and takes `draw`. Returns each frame's start and end over `span`.
    fn flood(draw: Duration, span: Duration) -> Vec<(Instant, Instant)> {
        let t0 = Instant::now();
        let mut pace = Pace::new(t0);
        let mut now = t0;
        let mut frames = Vec::new();
        while now < t0 + span {
            let start = now.max(pace.next());
            let end = start + draw;
            pace.drawn(start, end);
            frames.push((start, end));
            now = end;
        }
        frames
    }

    #[test]
    fn the_first_change_after_the_first_frame_is_drawn_at_once() {
        let t0 = Instant::now();
        let mut pace = Pace::new(t0);
        assert!(pace.next() <= t0, "the first frame at once");
        pace.drawn(t0, t0 + MS);
        assert!(
            pace.next() <= t0 + 2 * MS,
            "then a lone change: {:?}",
            pace.next() - t0
        );
    }

    #[test]
    fn a_lone_change_after_a_quiet_spell_is_drawn_at_once() {
        let t0 = Instant::now();
        let mut pace = Pace::new(t0);
        pace.drawn(t0, t0 + MS);
        let later = t0 + Duration::from_secs(5);
        assert!(pace.next() <= later);
        pace.drawn(later, later + MS);
        // One frame of slack: a second lone change (the clock's tick) is drawn at once too.
        assert!(pace.next() <= later + 2 * MS);
        pace.drawn(later + 2 * MS, later + 3 * MS);
        // Then the flood's pace.
        assert!(pace.next() >= later + FRAME);
    }

    #[test]
    fn a_flood_is_drawn_about_30_times_a_second() {
        let frames = flood(2 * MS, Duration::from_secs(1));
        assert!(
            (29..=33).contains(&frames.len()),
            "{} frames in a second",
            frames.len()
        );
    }

    #[test]
    fn a_draw_longer_than_a_frame_leaves_as_long_a_gap_after_it() {
        for draw in [FRAME, 50 * MS, 200 * MS] {
            let frames = flood(draw, Duration::from_secs(2));
            for pair in frames.windows(2) {
                let ((start, end), (next, _)) = (pair[0], pair[1]);
                assert!(
                    next - end >= end - start,
                    "a {draw:?} draw followed by one {:?} later",
                    next - end
                );
            }
        }
    }
}
